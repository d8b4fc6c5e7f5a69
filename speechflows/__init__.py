"""speechflows: onboard data to Azure AI Speech with Prefect."""
