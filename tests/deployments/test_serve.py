"""`speechflows serve` builds its runner deployments from prefect.yaml's module entrypoints."""

from __future__ import annotations

from speechflows.deployments.serve import build_runner_deployments, load_deployment_specs


def test_every_deployment_of_prefect_yaml_builds_from_the_installed_package() -> None:
    specs = load_deployment_specs()
    assert all(".py" not in str(s["entrypoint"]) for s in specs)  # module form
    built = build_runner_deployments()
    assert sorted(d.name for d in built) == sorted(str(s["name"]) for s in specs)
    flows = {d.name: d.flow_name for d in built}
    assert flows["custom-speech-release"] == "custom-speech-release"
