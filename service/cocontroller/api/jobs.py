"""What the servicers that stream a job's progress share."""

import threading


class StallWatch:
    """Cancels a job stream whose client stops reading. A yielded message resumes the job
    only once gRPC has handed it to the transport; when the client's flow-control window is
    full, that never happens and the job would hold the server's one job slot for good. If a
    message is not taken within the timeout the call is cancelled: the job stops at its last
    committed batch (every batch commits before its message is sent), so rerunning the job
    id resumes it."""

    def __init__(self, context, timeout_s: float):
        self.context = context
        self.timeout_s = timeout_s
        self.timer: threading.Timer | None = None

    def __enter__(self):
        self.timer = threading.Timer(self.timeout_s, self.context.cancel)
        self.timer.daemon = True
        self.timer.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def stop(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
