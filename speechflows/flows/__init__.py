"""Prefect flows: the onboardings (personal voice, professional voice, custom speech) and upkeep.

Entry points for prefect.yaml:

- ``speechflows/flows/professional_voice.py:professional_voice_onboarding``
- ``speechflows/flows/personal_voice.py:personal_voice_onboarding``
- ``speechflows/flows/custom_speech.py:custom_speech_onboarding``
"""
