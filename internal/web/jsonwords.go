package web

import (
	"reflect"
	"strings"
)

// The words in which a JSON value of the wrong type is refused, by the
// API (a request body) and by herald import jsonl (a line): what the
// field wants (JSONWant) and what it got (JSONGot).

// JSONWant says what a JSON value must be to be read into t: "a whole
// number", "a string", "an array of strings"… A pointer (an optional
// value) wants what it points to.
func JSONWant(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number, 0 or more"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array of " + strings.TrimPrefix(strings.TrimPrefix(JSONWant(t.Elem()), "a "), "an ") + "s"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a JSON " + t.Kind().String()
}

// JSONGot is the value encoding/json's UnmarshalTypeError names
// ("array", "string", "number 1.5") with an article: "an array", "a
// string", "the number 1.5" (a fraction, or a number too large, where a
// whole number goes).
func JSONGot(value string) string {
	switch value {
	case "array", "object":
		return "an " + value
	case "":
		return "a value"
	}
	if n, ok := strings.CutPrefix(value, "number "); ok {
		return "the number " + n
	}
	return "a " + value
}
