import TriageCore

/// Canonical tools, `tool_choice` and `response_format` → Gemini `tools`, `toolConfig` and
/// `generationConfig` members.
enum GeminiTools {
    /// `[{"type": "function", "function": {name, description, parameters}}]` →
    /// `[{"functionDeclarations": [{name, description, parametersJsonSchema}]}]`, or `nil` for no tools.
    /// `strict` and `cache_control` are hints Gemini has no equivalent for and are ignored.
    static func tools(_ value: JSONValue) throws(GatewayError) -> JSONValue? {
        guard case .array(let tools) = value else { throw GeminiProviderCodec.invalidType("tools", "an array", value) }
        guard !tools.isEmpty else { return nil }
        var declarations: [JSONValue] = []
        for (index, tool) in tools.enumerated() {
            let param = "tools[\(index)]"
            guard tool["type"]?.stringValue == "function", case .object(let function)? = tool["function"] else {
                throw GeminiProviderCodec.unsupported(param, "Only function tools are supported for Gemini models.")
            }
            guard let name = function["name"]?.stringValue, !name.isEmpty else {
                throw GatewayError(.invalidRequest, "'\(param).function.name' is required.", param: "\(param).function.name", code: "missing_required_parameter")
            }
            var declaration = JSONObject()
            declaration["name"] = .string(name)
            if let description = function["description"], !description.isNull { declaration["description"] = description }
            if let parameters = function["parameters"], !parameters.isNull {
                guard case .object(let schema) = parameters else {
                    throw GeminiProviderCodec.invalidType("\(param).function.parameters", "a JSON Schema object", parameters)
                }
                declaration["parametersJsonSchema"] = .object(jsonSchema(schema))
            }
            declarations.append(.object(declaration))
        }
        return [["functionDeclarations": .array(declarations)]]
    }

    /// The schema as Gemini's JSON Schema fields take it: `$schema` (a meta-schema reference, no
    /// constraint) is removed at the top; everything else is sent as the client wrote it.
    static func jsonSchema(_ schema: JSONObject) -> JSONObject {
        var schema = schema
        schema["$schema"] = nil
        return schema
    }

    /// `auto` → AUTO, `none` → NONE, `required` → ANY, a named function → ANY restricted to it.
    static func toolConfig(_ value: JSONValue) throws(GatewayError) -> JSONValue {
        switch value {
        case .string("auto"): return ["functionCallingConfig": ["mode": "AUTO"]]
        case .string("none"): return ["functionCallingConfig": ["mode": "NONE"]]
        case .string("required"): return ["functionCallingConfig": ["mode": "ANY"]]
        case .object(let choice) where choice["type"]?.stringValue == "function":
            guard let name = choice["function"]?["name"]?.stringValue else {
                throw GatewayError(.invalidRequest, "'tool_choice.function.name' is required.", param: "tool_choice.function.name", code: "missing_required_parameter")
            }
            return ["functionCallingConfig": ["mode": "ANY", "allowedFunctionNames": [.string(name)]]]
        default:
            throw GatewayError(
                .invalidRequest, "Invalid 'tool_choice': expected 'auto', 'none', 'required' or {\"type\": \"function\", \"function\": {\"name\": …}}.",
                param: "tool_choice", code: "invalid_value")
        }
    }

    /// `json_object` → `responseMimeType: application/json`; `json_schema` → also
    /// `responseJsonSchema` (the JSON Schema variant of `responseSchema`); `text` → nothing.
    static func responseFormat(_ value: JSONValue, into generation: inout JSONObject) throws(GatewayError) {
        switch value["type"]?.stringValue {
        case "text":
            return
        case "json_object":
            generation["responseMimeType"] = "application/json"
        case "json_schema":
            guard case .object(let schema)? = value["json_schema"]?["schema"] else {
                throw GatewayError(
                    .invalidRequest, "'response_format.json_schema.schema' must be a JSON Schema object.", param: "response_format.json_schema.schema",
                    code: "invalid_value")
            }
            generation["responseMimeType"] = "application/json"
            generation["responseJsonSchema"] = .object(jsonSchema(schema))
        default:
            throw GatewayError(
                .invalidRequest, "Invalid 'response_format.type': expected 'text', 'json_object' or 'json_schema'.", param: "response_format.type",
                code: "invalid_value")
        }
    }
}
