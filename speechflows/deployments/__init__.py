"""Deployments: the parameter models shared by the flows and prefect.yaml, and how flows are served."""
