package data

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/cookbookc/cookbookc/stdlib/chat"
)

// Row formats (the `format` attribute of a dataset block).
const (
	FormatAuto             = "auto"
	FormatMessages         = "messages"          // {"messages": [{"role", "content"}, ...]}
	FormatPromptCompletion = "prompt_completion" // {"prompt", "completion"}
	FormatInstruction      = "instruction"       // {"instruction", "input"?, "output"}
	FormatInputOutput      = "input_output"      // {"input", "output"}
	FormatQuestionAnswer   = "question_answer"   // {"question", "answer"}
)

// rowFormat describes how one format's rows become a conversation.
type rowFormat struct {
	name string
	// prompt is the key that must be present; answer the key of the
	// reply ("" for messages, whose conversation carries its replies).
	prompt, answer string
}

// rowFormats lists the formats in detection order.
var rowFormats = []rowFormat{
	{FormatMessages, "messages", ""},
	{FormatPromptCompletion, "prompt", "completion"},
	{FormatInstruction, "instruction", "output"},
	{FormatInputOutput, "input", "output"},
	{FormatQuestionAnswer, "question", "answer"},
}

// Formats returns the names of the row formats, in detection order.
func Formats() []string {
	out := make([]string, len(rowFormats))
	for i, f := range rowFormats {
		out[i] = f.name
	}
	return out
}

func lookupFormat(name string) (rowFormat, bool) {
	for _, f := range rowFormats {
		if f.name == name {
			return f, true
		}
	}
	return rowFormat{}, false
}

// Detect returns the format a row's keys match, the first in detection
// order. With promptOnly, rows need only the prompt key (a dataset of
// prompts to sample from).
func Detect(fields map[string]any, promptOnly bool) (string, bool) {
	for _, f := range rowFormats {
		if _, ok := fields[f.prompt]; !ok {
			continue
		}
		if f.answer != "" && !promptOnly {
			if _, ok := fields[f.answer]; !ok {
				continue
			}
		}
		return f.name, true
	}
	return "", false
}

// noFormatError describes a row that matches no row format.
func noFormatError(fields map[string]any) error {
	keys := slices.Sorted(maps.Keys(fields))
	return fmt.Errorf("row matches no known row format (its keys: %s); want \"messages\", \"prompt\"+\"completion\", "+
		"\"instruction\"+\"output\", \"input\"+\"output\" or \"question\"+\"answer\"", strings.Join(keys, ", "))
}

// ToMessages converts a row in the given format to a conversation. With
// opts.PromptOnly the reply may be missing; messages must have one of
// opts.Roles.
func ToMessages(format string, fields map[string]any, opts Options) ([]chat.Message, error) {
	f, ok := lookupFormat(format)
	if !ok {
		return nil, fmt.Errorf("unknown row format %q (want one of %s)", format, strings.Join(Formats(), ", "))
	}
	if _, ok := fields[f.prompt]; !ok {
		return nil, fmt.Errorf("row has no %q field (format %s)", f.prompt, format)
	}
	switch format {
	case FormatMessages:
		msgs, err := decodeMessages(fields["messages"], opts.Roles)
		if err != nil {
			return nil, fmt.Errorf("messages: %w", err)
		}
		return msgs, nil
	case FormatInstruction:
		instr, err := textField(fields, "instruction")
		if err != nil {
			return nil, err
		}
		if in, ok := fields["input"]; ok && in != nil {
			s, err := textField(fields, "input")
			if err != nil {
				return nil, err
			}
			if strings.TrimSpace(s) != "" {
				instr += "\n\n" + s
			}
		}
		return withReply([]chat.Message{{Role: "user", Content: chat.Text(instr)}}, fields, f.answer, opts)
	default: // prompt_completion, input_output, question_answer
		prompt, err := turnField(fields, f.prompt, "user", opts.Roles)
		if err != nil {
			return nil, err
		}
		return withReply(prompt, fields, f.answer, opts)
	}
}

// withReply appends the assistant reply found under key.
func withReply(prompt []chat.Message, fields map[string]any, key string, opts Options) ([]chat.Message, error) {
	if v, ok := fields[key]; !ok || v == nil {
		if opts.PromptOnly {
			return prompt, nil
		}
		return nil, fmt.Errorf("row has no %q field", key)
	}
	reply, err := turnField(fields, key, "assistant", opts.Roles)
	if err != nil {
		return nil, err
	}
	return append(prompt, reply...), nil
}

// turnField reads a field that is either text (one message of role) or
// a list of messages (conversational prompt/completion rows).
func turnField(fields map[string]any, key, role string, roles []string) ([]chat.Message, error) {
	if list, ok := fields[key].([]any); ok {
		msgs, err := decodeMessages(list, roles)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		return msgs, nil
	}
	s, err := textField(fields, key)
	if err != nil {
		return nil, err
	}
	return []chat.Message{{Role: role, Content: chat.Text(s)}}, nil
}

// textField reads a string field; numbers and booleans are written out
// (CSV cells and JSON answers like 42 are both accepted).
func textField(fields map[string]any, key string) (string, error) {
	switch v := fields[key].(type) {
	case string:
		return v, nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(v), nil
	case nil:
		return "", fmt.Errorf("field %q is null", key)
	default:
		return "", fmt.Errorf("field %q must be text, not %s", key, kindOf(v))
	}
}

// kindOf names the kind of a decoded JSON value, with its article ("a
// list", "a number"), in the data's terms.
func kindOf(v any) string {
	switch v.(type) {
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	case string:
		return "a string"
	case float64, int64, int:
		return "a number"
	case bool:
		return "true or false"
	case nil:
		return "null"
	}
	return "a value of another kind"
}

// decodeMessages decodes a list of messages, given as decoded JSON or as
// a string holding JSON (a CSV cell), with chat.DecodeMessages.
func decodeMessages(v any, roles []string) ([]chat.Message, error) {
	var raw []byte
	switch t := v.(type) {
	case string:
		raw = []byte(t)
	case []any:
		b, err := json.Marshal(t)
		if err != nil {
			return nil, err
		}
		raw = b
	case nil:
		return nil, fmt.Errorf("is null")
	default:
		return nil, fmt.Errorf("must be a list of messages, not %s", kindOf(v))
	}
	return chat.DecodeMessages(raw, roles)
}
