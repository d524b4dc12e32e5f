import Testing
import TriageCore
import TriageValidation

@Suite struct JSONSchemaValidatorTests {
    static let schema = try! JSONParser.parse(
        ##"""
        {"type":"object","additionalProperties":false,"required":["name","age","tags","address"],
         "properties":{
           "name":{"type":"string","minLength":1,"maxLength":20,"pattern":"^[A-Z]"},
           "age":{"type":"integer","minimum":0,"exclusiveMaximum":150},
           "tags":{"type":"array","items":{"enum":["a","b"]},"maxItems":2,"uniqueItems":true},
           "address":{"$ref":"#/$defs/address"},
           "nickname":{"type":["string","null"]},
           "kind":{"anyOf":[{"const":"person"},{"const":"robot"}]}
         },
         "$defs":{"address":{"type":"object","required":["city"],"properties":{"city":{"type":"string"}}}}}
        """##)

    let validator = JSONSchemaValidator(schema: Self.schema)

    func violations(_ json: String) throws -> [String] {
        validator.violations(of: try JSONParser.parse(json)).map(\.description)
    }

    @Test func acceptsAValidDocument() throws {
        #expect(try violations(#"{"name":"Ada","age":36,"tags":["a"],"address":{"city":"London"},"nickname":null,"kind":"person"}"#) == [])
        #expect(try violations(#"{"name":"Ada","age":36.0,"tags":[],"address":{"city":"London"}}"#) == [])
    }

    @Test(arguments: [
        (#"{"age":1,"tags":[],"address":{"city":"x"}}"#, "/: missing required property 'name'"),
        (#"{"name":"Ada","age":1.5,"tags":[],"address":{"city":"x"}}"#, "/age: expected integer, got a number"),
        (#"{"name":"ada","age":1,"tags":[],"address":{"city":"x"}}"#, "/name: does not match pattern ^[A-Z]"),
        (#"{"name":"Ada","age":150,"tags":[],"address":{"city":"x"}}"#, "/age: must be less than 150.0"),
        (#"{"name":"Ada","age":1,"tags":["c"],"address":{"city":"x"}}"#, #"/tags/0: must be one of "a", "b""#),
        (#"{"name":"Ada","age":1,"tags":["a","a"],"address":{"city":"x"}}"#, "/tags: items must be unique"),
        (#"{"name":"Ada","age":1,"tags":[],"address":{}}"#, "/address: missing required property 'city'"),
        (#"{"name":"Ada","age":1,"tags":[],"address":{"city":"x"},"extra":1}"#, "/extra: property 'extra' is not allowed"),
        (#"{"name":"Ada","age":1,"tags":[],"address":{"city":"x"},"kind":"cat"}"#, "/kind: matches none of the anyOf schemas"),
        (#"{"name":"Ada","age":-1,"tags":[],"address":{"city":"x"}}"#, "/age: less than the minimum 0.0"),
        (#"[1]"#, "/: expected object, got an array"),
    ])
    func reportsViolationsWithPointers(document: String, expected: String) throws {
        let found = try violations(document)
        #expect(found.contains(expected), "\(found)")
    }

    @Test func recursiveReferencesTerminate() throws {
        let schema = try JSONParser.parse(##"{"$ref":"#/$defs/node","$defs":{"node":{"type":"object","properties":{"next":{"$ref":"#/$defs/node"}}}}}"##)
        let validator = JSONSchemaValidator(schema: schema)
        #expect(validator.isValid(try JSONParser.parse(#"{"next":{"next":{"next":{}}}}"#)))
        #expect(!validator.isValid(try JSONParser.parse(#"{"next":{"next":5}}"#)))
        let loop = JSONSchemaValidator(schema: try JSONParser.parse(##"{"$ref":"#"}"##))
        #expect(!loop.isValid(JSONValue.null))
    }

    @Test func oneOfNeedsExactlyOne() throws {
        let validator = JSONSchemaValidator(schema: try JSONParser.parse(#"{"oneOf":[{"type":"integer"},{"type":"number"}]}"#))
        #expect(!validator.isValid(3))
        #expect(validator.isValid(.number("3.5")))
    }
}
