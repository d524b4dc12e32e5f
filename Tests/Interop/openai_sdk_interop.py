"""Drives a running Triage gateway with the official `openai` Python SDK.

The gateway test harness (Tests/TriageGatewayTests/OpenAISDKInteropTests.swift) starts the
gateway in front of the fake OpenAI upstream (default reply "Hello from the fake upstream.",
the small tier's cheapest model scripted to answer twice with a `get_weather` tool call) and
runs this script with TRIAGE_BASE_URL (e.g. http://127.0.0.1:PORT/v1) and TRIAGE_API_KEY set.
Every check prints one line; the last line is "N passed, M failed"; exit status 1 on failure.
"""

import json
import os
import sys

import openai

BASE_URL = os.environ.get("TRIAGE_BASE_URL") or sys.exit("TRIAGE_BASE_URL is not set (e.g. http://127.0.0.1:8080/v1)")
API_KEY = os.environ.get("TRIAGE_API_KEY", "sk-test")
EXPECTED = "Hello from the fake upstream."
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}

client = openai.OpenAI(base_url=BASE_URL, api_key=API_KEY, max_retries=0, timeout=30)


def check_chat():
    raw = client.chat.completions.with_raw_response.create(
        model="triage/auto",
        messages=[{"role": "user", "content": "Say hello."}],
        extra_headers={"X-Triage-Role": "worker"},
    )
    completion = raw.parse()
    assert completion.choices[0].message.content == EXPECTED, completion
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage.prompt_tokens > 0 and completion.usage.completion_tokens > 0
    assert raw.headers.get("x-triage-request-id"), raw.headers
    assert raw.headers.get("x-triage-model"), raw.headers
    assert raw.headers.get("x-triage-tier") == "mid", raw.headers  # role worker -> mid
    assert float(raw.headers.get("x-triage-cost-usd", "0")) > 0, raw.headers


def check_stream():
    stream = client.chat.completions.create(
        model="triage/auto",
        messages=[{"role": "user", "content": "Say hello."}],
        stream=True,
        extra_headers={"X-Triage-Role": "worker"},
    )
    chunks = list(stream)
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) > 1, "expected several content chunks"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == EXPECTED, text
    assert all(c.choices for c in chunks), "a usage-only chunk reached a client that did not ask for it"
    assert chunks[-1].choices[0].finish_reason == "stop"


def check_stream_with_usage():
    stream = client.chat.completions.create(
        model="triage/mid",
        messages=[{"role": "user", "content": "Say hello."}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == EXPECTED, text
    last = chunks[-1]
    assert last.choices == [] and last.usage is not None, last
    assert last.usage.prompt_tokens > 0 and last.usage.completion_tokens > 0, last.usage
    assert all(c.usage is None for c in chunks[:-1]), "only the last chunk carries usage"


def check_tool_call():
    completion = client.chat.completions.create(
        model="triage/small",
        messages=[{"role": "user", "content": "Weather in Paris?"}],
        tools=[WEATHER_TOOL],
        tool_choice="auto",
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls", choice
    call = choice.message.tool_calls[0]
    assert call.type == "function" and call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"city": "Paris"}


def check_streamed_tool_call():
    stream = client.chat.completions.create(
        model="triage/small",
        messages=[{"role": "user", "content": "Weather in Paris?"}],
        tools=[WEATHER_TOOL],
        stream=True,
    )
    name, arguments, finish = None, "", None
    for chunk in stream:
        if not chunk.choices:
            continue
        delta = chunk.choices[0].delta
        for call in delta.tool_calls or []:
            if call.function and call.function.name:
                name = call.function.name
            if call.function and call.function.arguments:
                arguments += call.function.arguments
        finish = chunk.choices[0].finish_reason or finish
    assert name == "get_weather" and json.loads(arguments) == {"city": "Paris"}, (name, arguments)
    assert finish == "tool_calls"


def check_unknown_model():
    try:
        client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "x"}])
    except openai.NotFoundError as error:
        assert error.status_code == 404
        assert error.body["code"] == "model_not_found", error.body
        return
    raise AssertionError("expected NotFoundError")


def check_bad_request():
    try:
        client.chat.completions.create(model="triage/auto", messages=[])
    except openai.BadRequestError as error:
        assert error.status_code == 400
        assert error.body["param"] == "messages", error.body
        return
    raise AssertionError("expected BadRequestError")


def check_models():
    ids = [model.id for model in client.models.list()]
    assert ids[:4] == ["triage/auto", "triage/small", "triage/mid", "triage/frontier"], ids


CHECKS = [
    check_chat,
    check_stream,
    check_stream_with_usage,
    check_tool_call,
    check_streamed_tool_call,
    check_unknown_model,
    check_bad_request,
    check_models,
]


def main():
    passed = failed = 0
    print(f"openai SDK {openai.__version__}")
    for check in CHECKS:
        try:
            check()
        except Exception as error:  # report every failure, then fail the run
            failed += 1
            print(f"FAIL {check.__name__}: {type(error).__name__}: {error}")
        else:
            passed += 1
            print(f"ok   {check.__name__}")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
