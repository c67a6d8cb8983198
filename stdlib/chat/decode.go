package chat

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/cookbookc/cookbookc/lang/diag"
)

// Roles are the message roles every built-in renderer renders.
var Roles = []string{"system", "user", "assistant", "tool"}

// DecodeMessages decodes a JSON list of messages. Its errors say which
// message and field is wrong in the data's terms ("message 2: content
// must be a string or a list of parts, not a number"), never in Go's
// ("cannot unmarshal number into Go value of type []chat.Part"). A
// message without a role, or with one not in roles (nil means Roles), is
// an error with a did-you-mean; so is text that is not valid UTF-8, which
// the JSON decoder would silently turn into U+FFFD.
func DecodeMessages(data []byte, roles []string) ([]Message, error) {
	if !utf8.Valid(data) {
		return nil, InvalidUTF8(data)
	}
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("must be a list of {\"role\", \"content\"} objects, not %s", jsonKind(data))
	}
	if len(raw) == 0 {
		return nil, errors.New("is empty")
	}
	if roles == nil {
		roles = Roles
	}
	msgs := make([]Message, len(raw))
	for i, r := range raw {
		if k := jsonKind(r); k != "an object" {
			return nil, fmt.Errorf("message %d must be a {\"role\", \"content\"} object, not %s", i, k)
		}
		if err := json.Unmarshal(r, &msgs[i]); err != nil {
			return nil, fmt.Errorf("message %d: %w", i, PlainJSONError(err))
		}
		if msgs[i].Role == "" {
			return nil, fmt.Errorf("message %d has no role", i)
		}
		if err := CheckRole(msgs[i].Role, roles); err != nil {
			return nil, fmt.Errorf("message %d: %w", i, err)
		}
	}
	return msgs, nil
}

// CheckRole reports a role that is empty or not one of roles, with a
// did-you-mean for a likely typo ("usr" for "user").
func CheckRole(role string, roles []string) error {
	if role == "" {
		return errors.New("no role")
	}
	for _, r := range roles {
		if r == role {
			return nil
		}
	}
	sorted := append([]string(nil), roles...)
	sort.Strings(sorted)
	return fmt.Errorf("unknown role %q.%s Roles: %s", role, diag.DidYouMean(role, roles), strings.Join(sorted, ", "))
}

// InvalidUTF8 describes where data stops being valid UTF-8.
func InvalidUTF8(data []byte) error {
	i := 0
	for i < len(data) {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		i += size
	}
	if i < len(data) {
		return fmt.Errorf("text is not valid UTF-8 (byte 0x%02x at offset %d); re-encode the file as UTF-8", data[i], i)
	}
	return errors.New("text is not valid UTF-8; re-encode the file as UTF-8")
}

// PlainJSONError rewords a JSON decoding error in the data's terms: a
// type mismatch names the field and what it must be, not the Go type it
// was being decoded into.
func PlainJSONError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		want := describe(te.Type)
		if te.Field != "" {
			return fmt.Errorf("%s must be %s, not %s", te.Field, want, article(te.Value))
		}
		return fmt.Errorf("must be %s, not %s", want, article(te.Value))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	}
	var ce contentError
	if errors.As(err, &ce) {
		return ce
	}
	return errors.New(strings.TrimPrefix(err.Error(), "json: "))
}

// describe names what a Go type accepts, in JSON terms.
func describe(t reflect.Type) string {
	switch t {
	case reflect.TypeFor[Content]():
		return "a string or a list of parts"
	case reflect.TypeFor[[]ToolCall]():
		return "a list of tool calls"
	}
	switch t.Kind() {
	case reflect.Pointer:
		return describe(t.Elem())
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a JSON value"
}

// article puts an article before a JSON kind as encoding/json names it
// ("number", "string", "array", "object", "bool").
func article(kind string) string {
	switch kind {
	case "array":
		return "a list"
	case "object":
		return "an object"
	case "bool":
		return "true or false"
	case "":
		return "that value"
	}
	return "a " + kind
}

// jsonKind names the kind of a JSON value by its first byte.
func jsonKind(data []byte) string {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return "nothing"
	}
	switch data[0] {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "a string"
	case 't', 'f':
		return "true or false"
	case 'n':
		return "null"
	}
	return "a number"
}

// contentError is an error about a message's content, already in the
// data's terms.
type contentError struct{ msg string }

func (e contentError) Error() string { return e.msg }
