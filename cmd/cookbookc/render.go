package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/renderers"
)

func init() { register(newRenderCmd) }

// renderInput is the file the render command reads; its messages are
// decoded by chat.DecodeMessages, whose errors speak of the data.
type renderInput struct {
	Messages json.RawMessage `json:"messages"`
}

// renderSegment is one segment of --format json output.
type renderSegment struct {
	Text    string  `json:"text"`
	Weight  float32 `json:"weight"`
	Special bool    `json:"special,omitempty"`
}

// renderExample is one rendered example.
type renderExample struct {
	Text     string          `json:"text"`
	Segments []renderSegment `json:"segments"`
}

// renderOutput is the --format json document: the rendering (the last
// example when the renderer splits the conversation, with every example
// under "examples") and the stop sequences.
type renderOutput struct {
	renderExample
	Stop     []string        `json:"stop"`
	Examples []renderExample `json:"examples,omitempty"`
}

func newRenderCmd() *cobra.Command {
	var (
		rendererName string
		genPrompt    bool
		trainOn      string
		format       string
	)
	cmd := &cobra.Command{
		Use:   "render --renderer NAME [--generation-prompt] [--train-on MODE] [--format text|json] FILE",
		Short: "Show exactly what a model sees for a conversation",
		Long: `Render a conversation with a chat renderer and print exactly what the model
is trained on (or prompted with, with --generation-prompt).

FILE (or - for standard input) holds {"messages": [...]}, each message
{"role", "content", ...} as in a messages dataset row.

--format text prints the rendered string exactly: special tokens written
literally, nothing added (no trailing newline). --format json prints
{"text", "segments": [{"text", "weight", "special"}], "stop"}; weight 1 marks
what training learns under --train-on.

Renderers without the extension property split a multi-turn conversation
into several examples under all_assistant_messages; text shows the last
one (it notes so on standard error) and json lists all under "examples".`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if rendererName == "" {
				return usagef("render: --renderer is required (one of: %v)", renderers.Names())
			}
			r, err := renderers.Get(rendererName)
			if err != nil {
				return usagef("render: %v", err)
			}
			mode := renderers.TrainOn(trainOn)
			if !validTrainOn(mode) {
				return usagef("render: --train-on %q: want one of %v", trainOn, renderers.TrainOnModes())
			}
			if format != "text" && format != "json" {
				return usagef("render: --format %q: want text or json", format)
			}
			msgs, err := readConversation(cmd.InOrStdin(), args[0], r.Roles())
			if err != nil {
				return failf("render: %v", err)
			}
			var examples [][]renderers.Segment
			if genPrompt {
				segs, err := r.GenerationPrompt(msgs)
				if err != nil {
					return failf("render: %s: renderer %s: %v", args[0], r.Name(), err)
				}
				examples = [][]renderers.Segment{segs}
			} else if examples, err = r.Supervised(msgs, mode); err != nil {
				return failf("render: %s: renderer %s: %v", args[0], r.Name(), err)
			}
			last := examples[len(examples)-1]
			out := cmd.OutOrStdout()
			if format == "text" {
				if len(examples) > 1 {
					fmt.Fprintf(cmd.ErrOrStderr(), "cookbookc: renderer %s splits this conversation into %d examples (no extension property); showing the last (--format json lists all)\n", r.Name(), len(examples))
				}
				_, err := io.WriteString(out, renderers.Text(last))
				return err
			}
			doc := renderOutput{renderExample: toExample(last), Stop: stopList(r.Stop())}
			if len(examples) > 1 {
				for _, ex := range examples {
					doc.Examples = append(doc.Examples, toExample(ex))
				}
			}
			enc := json.NewEncoder(out)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			return enc.Encode(doc)
		},
	}
	cmd.Flags().StringVar(&rendererName, "renderer", "", "renderer name (built-in; see the list in the error for unknown names)")
	cmd.Flags().BoolVar(&genPrompt, "generation-prompt", false, "render the prompt that asks for the next assistant turn instead of a training example")
	cmd.Flags().StringVar(&trainOn, "train-on", string(renderers.AllAssistantMessages), "which tokens get weight 1")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func validTrainOn(m renderers.TrainOn) bool {
	for _, v := range renderers.TrainOnModes() {
		if v == m {
			return true
		}
	}
	return false
}

// readConversation reads {"messages": [...]} from path, or stdin for "-";
// messages must have one of roles.
func readConversation(stdin io.Reader, path string, roles []string) ([]chat.Message, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = io.ReadAll(stdin)
		path = "<stdin>"
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff")) // a UTF-8 byte order mark
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%s: %v", path, chat.InvalidUTF8(data))
	}
	var in renderInput
	if err := json.Unmarshal(data, &in); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, fmt.Errorf("%s: invalid JSON at byte %d: %v", path, syn.Offset, strings.TrimPrefix(err.Error(), "json: "))
		}
		return nil, fmt.Errorf("%s: want {\"messages\": [...]}: %v", path, chat.PlainJSONError(err))
	}
	if len(in.Messages) == 0 || string(in.Messages) == "null" {
		return nil, fmt.Errorf("%s: no messages (want {\"messages\": [...]})", path)
	}
	msgs, err := chat.DecodeMessages(in.Messages, roles)
	if err != nil {
		return nil, fmt.Errorf("%s: messages: %w", path, err)
	}
	return msgs, nil
}

func toExample(segs []renderers.Segment) renderExample {
	ex := renderExample{Text: renderers.Text(segs), Segments: []renderSegment{}}
	for _, s := range segs {
		ex.Segments = append(ex.Segments, renderSegment{Text: s.Text, Weight: s.Weight, Special: s.Special})
	}
	return ex
}

func stopList(s renderers.Stop) []string {
	out := append([]string{}, s.Tokens...)
	return append(out, s.Strings...)
}
