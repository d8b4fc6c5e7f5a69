"""The text to speech REST synthesis call (``/cognitiveservices/v1``), on the emulator's state."""
