"""Professional voice model tasks: recipe check, model training, endpoint deployment."""

from __future__ import annotations

import uuid

from prefect import task

from speechflows.redaction import strip_query
from speechflows.speech.custom_voice.core import operation_id_for
from speechflows.tasks import events
from speechflows.tasks.caching import cached_task
from speechflows.tasks.outcomes import ResourceOutcome
from speechflows.tasks.retries import retry_options
from speechflows.tasks.voice_common import (
    OnboardingError,
    find_or_start,
    voice_client,
    voice_outcome,
    wait_resumed,
)
from speechflows.tasks.waiting import WaitOptions

# -- models and endpoints ---------------------------------------------------------------------------


@task(name="Check model recipe", task_run_name="recipe {recipe_kind}", **retry_options())
def check_recipe(recipe_kind: str, *, utterance_count: int | None, locale: str) -> int | None:
    """Refuse a recipe that does not exist or needs more utterances than the training set has.

    Returns:
        The recipe's minimum utterance count (None when the service does not say).
    """
    with voice_client() as cv:
        recipes = cv.models.list_recipes()
    match = [r for r in recipes if (r.kind or "").lower() == recipe_kind.lower()]
    if not match:
        kinds = ", ".join(sorted({r.kind or "?" for r in recipes})) or "none"
        raise OnboardingError(
            f"model recipe {recipe_kind!r} does not exist; the service offers: {kinds}"
        )
    recipe = match[-1]
    minimum = recipe.min_utterance_count
    if minimum is not None and (utterance_count or 0) < minimum:
        others = [
            f"{r.kind} (min {r.min_utterance_count})"
            for r in recipes
            if r.kind
            and r.kind.lower() != recipe_kind.lower()
            and (r.min_utterance_count or 0) <= (utterance_count or 0)
        ]
        choose = (
            f"or train with a recipe that fits: model.recipe_kind, one of {', '.join(others)}"
            if others
            else "no recipe the service offers trains on this few (model.recipe_kind)"
        )
        raise OnboardingError(
            f"recipe {recipe.kind} needs at least {minimum} utterances; the training set has "
            f"{utterance_count or 0}, so nothing was trained. Record "
            f"{minimum - (utterance_count or 0)} more utterances, {choose}"
        )
    # Locale tags compare ignoring case (docs/azure-behaviour.md § Locales).
    if recipe.dataset_locales and locale.casefold() not in {
        x.casefold() for x in recipe.dataset_locales
    }:
        raise OnboardingError(
            f"recipe {recipe.kind} does not accept {locale} data (accepts {', '.join(recipe.dataset_locales)})"
        )
    return minimum


@cached_task(
    "Train voice model",
    "model {model_id}",
    ("model_id", "training_set_id", "consent_id", "recipe_kind", "voice_name", "locale"),
)
def ensure_voice_model(
    model_id: str,
    *,
    project_id: str,
    consent_id: str,
    training_set_id: str,
    recipe_kind: str,
    voice_name: str,
    locale: str | None,
    description: str | None,
    wait: WaitOptions,
    progress_key: str | None = None,
) -> ResourceOutcome:
    """The voice model ``model_id`` trained on the training set (reused if it exists)."""
    op_id = operation_id_for("model", model_id, training_set_id, recipe_kind, voice_name)
    with voice_client() as cv:
        url = cv.core.url("models", model_id)
        state, action = find_or_start(
            cv,
            "models",
            model_id,
            lock="voice-model",
            kind="model",
            get=lambda: cv.models.get(model_id),
            start=lambda: cv.models.create(
                model_id,
                project_id=project_id,
                consent_id=consent_id,
                training_set_id=training_set_id,
                recipe_kind=recipe_kind,
                voice_name=voice_name,
                locale=locale,
                description=description,
                operation_id=op_id,
            ),
            failed_fix="Fix the cause and use a new model id",
        )
        final = wait_resumed(cv, state, wait, progress_key, f"model {model_id}")
    events.emit(
        "voice-model.succeeded",
        kind="voice model",
        rid=model_id,
        payload={"voice_name": voice_name},
        related=[("project", project_id)],
    )
    return voice_outcome("voice model", model_id, url, final, action, display_name=voice_name)


@cached_task("Deploy voice endpoint", "endpoint {endpoint_id}", ("endpoint_id", "model_id"))
def ensure_voice_endpoint(
    endpoint_id: uuid.UUID,
    *,
    project_id: str,
    model_id: str,
    wait: WaitOptions,
    progress_key: str | None = None,
) -> ResourceOutcome:
    """The endpoint ``endpoint_id`` serving the model (reused if it exists)."""
    eid = str(endpoint_id)
    with voice_client() as cv:
        url = cv.core.url("endpoints", eid)
        state, action = find_or_start(
            cv,
            "endpoints",
            eid,
            lock="voice-endpoint",
            kind="endpoint",
            get=lambda: cv.endpoints.get(eid),
            start=lambda: cv.endpoints.create(
                eid,
                project_id=project_id,
                model_id=model_id,
                operation_id=operation_id_for("endpoint", eid, model_id),
            ),
            failed_fix="Delete it and deploy again",
        )
        final = wait_resumed(cv, state, wait, progress_key, f"endpoint {eid}")
    events.emit(
        "voice-endpoint.succeeded",
        kind="voice endpoint",
        rid=eid,
        payload={"model_id": model_id},
        related=[("project", project_id)],
    )
    return voice_outcome("voice endpoint", eid, strip_query(url), final, action)


__all__ = ["check_recipe", "ensure_voice_endpoint", "ensure_voice_model"]
