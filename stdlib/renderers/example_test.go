package renderers_test

import (
	"fmt"
	"strings"

	"github.com/cookbookc/cookbookc/stdlib/chat"
	"github.com/cookbookc/cookbookc/stdlib/renderers"
)

// Get returns a built-in renderer by name; it renders a conversation as
// the model is prompted with it (GenerationPrompt) and as it is trained
// on, with a weight per segment (Supervised).
func ExampleGet() {
	r, err := renderers.Get("role_colon")
	if err != nil {
		panic(err)
	}
	msgs := []chat.Message{
		{Role: "user", Content: chat.Text("What is 2+2?")},
		{Role: "assistant", Content: chat.Text("4")},
	}
	prompt, err := r.GenerationPrompt(msgs[:1])
	if err != nil {
		panic(err)
	}
	fmt.Printf("prompt: %q\n", renderers.Text(prompt))
	examples, err := r.Supervised(msgs, renderers.LastAssistantMessage)
	if err != nil {
		panic(err)
	}
	for _, seg := range examples[0] {
		fmt.Printf("weight %g: %q\n", seg.Weight, seg.Text)
	}
	// Output:
	// prompt: "User: What is 2+2?\n\nAssistant:"
	// weight 0: "User: What is 2+2?\n\nAssistant:"
	// weight 1: " 4\n\nUser:"
}

// An unknown name is an error that suggests the closest built-in name.
func ExampleGet_unknown() {
	_, err := renderers.Get("qwen_3")
	msg := err.Error()
	fmt.Println(msg[:strings.Index(msg, " (")])
	// Output:
	// unknown renderer "qwen_3"; did you mean "qwen3"?
}
