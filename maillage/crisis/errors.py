class CrisisError(Exception):
    """A refused write of the crisis mission; its messages are French and shown as they are."""

    def __init__(self, messages: list[str] | str):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__(" ".join(self.messages))
