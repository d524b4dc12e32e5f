"""Drives a running Triage gateway with the official `openai` and `anthropic` Python SDKs, against
models behind each provider format (OpenAI chat, Anthropic Messages, Gemini generateContent).

The harness (Tests/TriageGatewayTests/CrossFormat/CrossFormatSDKInteropTests.swift) starts the
gateway in front of one fake upstream per provider format — each answers
"Hello from the fake upstream." by default — and serves, per format F in (oa, an, ge), the model
F-model and the model F-tools, scripted to answer: tool call, text, tool call, text. Environment:
TRIAGE_BASE_URL (http://127.0.0.1:PORT, no /v1) and TRIAGE_API_KEY. Every check prints one line;
the last line is "N passed, M failed"; exit status 1 on failure.
"""

import json
import os
import sys

import anthropic
import openai

BASE_URL = os.environ.get("TRIAGE_BASE_URL") or sys.exit("TRIAGE_BASE_URL is not set (e.g. http://127.0.0.1:8080)")
API_KEY = os.environ.get("TRIAGE_API_KEY", "sk-test")
EXPECTED = "Hello from the fake upstream."
PROVIDERS = ["oa", "an", "ge"]

oai = openai.OpenAI(base_url=BASE_URL + "/v1", api_key=API_KEY, max_retries=0, timeout=30)
ant = anthropic.Anthropic(base_url=BASE_URL, api_key=API_KEY, max_retries=0, timeout=30)

CHAT_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
MESSAGES_TOOL = {
    "name": "get_weather",
    "description": "Current weather for a city",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


def chat_plain(p):
    completion = oai.chat.completions.create(model=f"{p}-model", messages=[{"role": "user", "content": "Say hello."}])
    assert completion.choices[0].message.content == EXPECTED, completion
    assert completion.choices[0].finish_reason == "stop", completion
    assert completion.usage.prompt_tokens > 0 and completion.usage.completion_tokens > 0, completion.usage


def chat_stream(p):
    stream = oai.chat.completions.create(
        model=f"{p}-model", messages=[{"role": "user", "content": "Say hello."}], stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == EXPECTED, text
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0, chunks[-1]


def chat_tool_round_trip(p):
    messages = [{"role": "user", "content": "Weather in Paris?"}]
    first = oai.chat.completions.create(model=f"{p}-tools", messages=messages, tools=[CHAT_TOOL])
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls", choice
    call = choice.message.tool_calls[0]
    assert call.function.name == "get_weather" and json.loads(call.function.arguments) == {"city": "Paris"}, call
    messages.append(choice.message.model_dump(exclude_none=True))
    messages.append({"role": "tool", "tool_call_id": call.id, "content": "18C and sunny"})
    second = oai.chat.completions.create(model=f"{p}-tools", messages=messages, tools=[CHAT_TOOL])
    assert second.choices[0].message.content == EXPECTED, second


def messages_plain(p):
    message = ant.messages.create(model=f"{p}-model", max_tokens=256, messages=[{"role": "user", "content": "Say hello."}])
    assert message.type == "message" and message.role == "assistant", message
    assert message.content[0].type == "text" and message.content[0].text == EXPECTED, message
    assert message.stop_reason == "end_turn", message
    assert message.usage.input_tokens > 0 and message.usage.output_tokens > 0, message.usage


def messages_stream(p):
    with ant.messages.stream(model=f"{p}-model", max_tokens=256, messages=[{"role": "user", "content": "Say hello."}]) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == EXPECTED, text
    assert final.content[0].text == EXPECTED and final.stop_reason == "end_turn", final
    assert final.usage.output_tokens > 0, final.usage


def messages_tool_use(p):
    messages = [{"role": "user", "content": "Weather in Paris?"}]
    first = ant.messages.create(model=f"{p}-tools", max_tokens=256, messages=messages, tools=[MESSAGES_TOOL])
    assert first.stop_reason == "tool_use", first
    use = next(block for block in first.content if block.type == "tool_use")
    assert use.name == "get_weather" and use.input == {"city": "Paris"}, use
    messages.append({"role": "assistant", "content": [block.model_dump(exclude_none=True) for block in first.content]})
    messages.append({"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id, "content": "18C and sunny"}]})
    second = ant.messages.create(model=f"{p}-tools", max_tokens=256, messages=messages, tools=[MESSAGES_TOOL])
    assert second.content[0].text == EXPECTED and second.stop_reason == "end_turn", second


def responses_plain(p):
    response = oai.responses.create(model=f"{p}-model", input="Say hello.")
    assert response.status == "completed", response
    assert response.output_text == EXPECTED, response
    assert response.usage.input_tokens > 0 and response.usage.output_tokens > 0, response.usage


def responses_stream(p):
    stream = oai.responses.create(model=f"{p}-model", input="Say hello.", stream=True)
    deltas, final = [], None
    for event in stream:
        if event.type == "response.output_text.delta":
            deltas.append(event.delta)
        elif event.type == "response.completed":
            final = event.response
    assert "".join(deltas) == EXPECTED, deltas
    assert final is not None and final.output_text == EXPECTED and final.usage.output_tokens > 0, final


def messages_error(p):
    try:
        ant.messages.create(model="no-such-model", max_tokens=16, messages=[{"role": "user", "content": "x"}])
    except anthropic.NotFoundError as error:
        assert error.status_code == 404 and error.body["type"] == "error", error.body
        return
    raise AssertionError("expected NotFoundError")


CHECKS = [chat_plain, chat_stream, chat_tool_round_trip, messages_plain, messages_stream, messages_tool_use, responses_plain, responses_stream]


def main():
    passed = failed = 0
    print(f"openai SDK {openai.__version__}, anthropic SDK {anthropic.__version__}")
    runs = [(check, p) for p in PROVIDERS for check in CHECKS] + [(messages_error, "oa")]
    for check, p in runs:
        try:
            check(p)
        except Exception as error:  # report every failure, then fail the run
            failed += 1
            print(f"FAIL {check.__name__}[{p}]: {type(error).__name__}: {error}")
        else:
            passed += 1
            print(f"ok   {check.__name__}[{p}]")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
