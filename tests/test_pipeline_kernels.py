"""Waiting for a kernel: the runner's clients wait for the kernel's answers, not for a fixed silence.

jupyter_client's ``wait_for_ready`` waits, after the kernel's reply, until IOPub has said nothing for
0.2 s; the runner paid it twice per warmed notebook. :func:`helpers.pipeline.kernels.wait_until_ready`
returns once the kernel has replied to its ``kernel_info`` request and said on IOPub that it is idle after
that request. These tests give it a scripted kernel: messages answering other requests, an IOPub that
joins late, a kernel that dies. (A real kernel: every toy-pipeline test, e.g. tests/test_pipeline_runs.py.)
"""

from __future__ import annotations

import asyncio
from queue import Empty

import pytest

from helpers.pipeline import kernels


class ScriptedChannel:
    """A channel whose messages come from a script: ``script(request_number)`` gives the messages that
    arrive after that request; nothing more arrives until the next request."""

    def __init__(self, client, script):
        self.client, self.script, self.queue, self.seen = client, script, [], 0

    async def get_msg(self, timeout=None):
        if self.seen < self.client.requests:  # the kernel has answered a new request
            self.queue += self.script(self.client.requests)
            self.seen = self.client.requests
        if not self.queue:
            raise Empty
        return self.queue.pop(0)


def status(state, parent):
    return {"msg_type": "status", "content": {"execution_state": state}, "parent_header": {"msg_id": parent}}


def info_reply(parent):
    return {"msg_type": "kernel_info_reply", "content": {"status": "ok"}, "parent_header": {"msg_id": parent}}


class ScriptedClient:
    def __init__(self, shell, iopub, alive=True):
        self.requests, self.handled, self.alive = 0, None, alive
        self.shell_channel = ScriptedChannel(self, shell)
        self.iopub_channel = ScriptedChannel(self, iopub)

    def kernel_info(self):
        self.requests += 1
        return f"info-{self.requests}"

    def _handle_kernel_info_reply(self, msg):
        self.handled = msg

    async def _async_is_alive(self):
        return self.alive


def wait(client, timeout=None):
    asyncio.run(kernels.wait_until_ready(client, timeout=timeout))


def test_ready_after_its_own_reply_and_idle_passing_over_other_requests_messages():
    client = ScriptedClient(
        shell=lambda n: [info_reply("warm-up"), info_reply(f"info-{n}")],
        iopub=lambda n: [status("idle", "warm-up"), status("busy", f"info-{n}"), status("idle", f"info-{n}")],
    )
    wait(client)
    assert client.requests == 1
    assert client.handled == info_reply("info-1")


def test_asks_again_when_iopub_joined_after_the_first_idle_was_sent():
    # a subscriber misses what was published before it joined: the first request's idle never arrives
    client = ScriptedClient(
        shell=lambda n: [info_reply(f"info-{n}")],
        iopub=lambda n: [] if n == 1 else [status("busy", f"info-{n}"), status("idle", f"info-{n}")],
    )
    wait(client)
    assert client.requests == 2
    assert client.handled == info_reply("info-2")


def test_a_kernel_that_died_before_answering_is_an_error():
    client = ScriptedClient(shell=lambda n: [], iopub=lambda n: [], alive=False)
    with pytest.raises(RuntimeError, match="died before replying"):
        wait(client)
    assert client.requests == 1


def test_a_kernel_that_never_answers_times_out():
    client = ScriptedClient(shell=lambda n: [], iopub=lambda n: [])
    with pytest.raises(RuntimeError, match="didn't respond in 0 seconds"):
        wait(client, timeout=0)


def test_every_client_of_the_runners_kernels_waits_so():
    # the warming client and papermill's both come from the kernel manager's client factory
    km = kernels.kernel_manager_for(None)(kernel_name="python3")
    assert km.client_factory.wait_for_ready is kernels.wait_until_ready
