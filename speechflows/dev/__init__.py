"""Development services started by the project itself: Azurite, the emulator, Prefect."""
