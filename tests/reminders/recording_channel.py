"""A channel module for the tests of the pluggable layer: REMINDER_CHANNELS=tests.reminders.recording_channel."""

from reminders.channels import Message


class RecordingChannel:
    name = "recorder"
    label = "测试渠道"
    max_length = 60
    sent: list[tuple[str, str]] = []

    def target_for(self, user) -> str:
        return f"uid:{user.pk}" if user.unit_id else ""

    def send(self, target: str, message: Message) -> None:
        self.sent.append((target, message.fitted(self.max_length)))


backend = RecordingChannel()
