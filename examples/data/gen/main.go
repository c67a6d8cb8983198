// Command gen writes examples/data/chat.jsonl: a small synthetic chat
// dataset that the project makes itself, for the example recipes.
//
// Every row is a templated, compositional question and answer
// (arithmetic, unit conversions, capitals, word reversal, spelling in
// capitals, counting letters, comparisons), so that a byte-level model of
// about a million parameters visibly learns it within a few minutes on a
// CPU. Output is deterministic: the same seed writes the same bytes.
//
//	go run ./examples/data/gen -o examples/data/chat.jsonl
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
)

type message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type row struct {
	Messages []message `json:"messages"`
}

var capitals = [][2]string{
	{"France", "Paris"}, {"Germany", "Berlin"}, {"Italy", "Rome"}, {"Spain", "Madrid"},
	{"Portugal", "Lisbon"}, {"Japan", "Tokyo"}, {"China", "Beijing"}, {"India", "New Delhi"},
	{"Egypt", "Cairo"}, {"Kenya", "Nairobi"}, {"Peru", "Lima"}, {"Chile", "Santiago"},
	{"Canada", "Ottawa"}, {"Mexico", "Mexico City"}, {"Brazil", "Brasilia"}, {"Norway", "Oslo"},
	{"Sweden", "Stockholm"}, {"Finland", "Helsinki"}, {"Poland", "Warsaw"}, {"Greece", "Athens"},
	{"Turkey", "Ankara"}, {"Ireland", "Dublin"}, {"Austria", "Vienna"}, {"Hungary", "Budapest"},
	{"Cuba", "Havana"}, {"Russia", "Moscow"}, {"Australia", "Canberra"}, {"Vietnam", "Hanoi"},
	{"Thailand", "Bangkok"}, {"Argentina", "Buenos Aires"}, {"Morocco", "Rabat"}, {"Ghana", "Accra"},
}

var words = []string{
	"cat", "dog", "tree", "house", "river", "apple", "stone", "cloud", "green", "music",
	"light", "table", "chair", "bread", "water", "flame", "night", "plant", "robot", "tiger",
	"zebra", "lemon", "piano", "storm", "ocean", "pixel", "candle", "garden", "bridge", "rocket",
}

var units = []struct {
	big, small string
	factor     int
}{
	{"meters", "centimeters", 100}, {"kilometers", "meters", 1000}, {"hours", "minutes", 60},
	{"minutes", "seconds", 60}, {"kilograms", "grams", 1000}, {"feet", "inches", 12},
	{"days", "hours", 24}, {"liters", "milliliters", 1000}, {"weeks", "days", 7},
}

// task returns one question and its answer.
type task func(r *rand.Rand) (string, string)

var tasks = []task{
	func(r *rand.Rand) (string, string) {
		a, b := r.IntN(50), r.IntN(50)
		return fmt.Sprintf("What is %d + %d?", a, b), fmt.Sprintf("%d + %d = %d.", a, b, a+b)
	},
	func(r *rand.Rand) (string, string) {
		a := r.IntN(60) + 20
		b := r.IntN(a)
		return fmt.Sprintf("What is %d - %d?", a, b), fmt.Sprintf("%d - %d = %d.", a, b, a-b)
	},
	func(r *rand.Rand) (string, string) {
		a, b := r.IntN(10)+1, r.IntN(10)+1
		return fmt.Sprintf("What is %d times %d?", a, b), fmt.Sprintf("%d times %d is %d.", a, b, a*b)
	},
	func(r *rand.Rand) (string, string) {
		u := units[r.IntN(len(units))]
		n := r.IntN(9) + 1
		return fmt.Sprintf("How many %s are in %d %s?", u.small, n, u.big),
			fmt.Sprintf("%d %s is %d %s.", n, u.big, n*u.factor, u.small)
	},
	func(r *rand.Rand) (string, string) {
		c := capitals[r.IntN(len(capitals))]
		return fmt.Sprintf("What is the capital of %s?", c[0]), fmt.Sprintf("The capital of %s is %s.", c[0], c[1])
	},
	func(r *rand.Rand) (string, string) {
		w := words[r.IntN(len(words))]
		return fmt.Sprintf("Reverse the word %q.", w), fmt.Sprintf("%q reversed is %q.", w, reverse(w))
	},
	func(r *rand.Rand) (string, string) {
		w := words[r.IntN(len(words))]
		return fmt.Sprintf("Spell %q in capital letters.", w), strings.ToUpper(w)
	},
	func(r *rand.Rand) (string, string) {
		w := words[r.IntN(len(words))]
		return fmt.Sprintf("How many letters are in %q?", w), fmt.Sprintf("%q has %d letters.", w, len(w))
	},
	func(r *rand.Rand) (string, string) {
		a, b := r.IntN(100), r.IntN(100)
		for b == a {
			b = r.IntN(100)
		}
		return fmt.Sprintf("Which is larger, %d or %d?", a, b), fmt.Sprintf("%d is larger.", max(a, b))
	},
}

func reverse(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

func main() {
	out := flag.String("o", "examples/data/chat.jsonl", "output file")
	n := flag.Int("n", 2000, "number of conversations")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if err := write(*out, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func write(path string, n int, seed uint64) error {
	r := rand.New(rand.NewPCG(seed, 0x636f6f6b))
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for range n {
		var msgs []message
		// One conversation in eight has two turns, so multi-turn
		// rendering and all_assistant_messages are exercised.
		turns := 1
		if r.IntN(8) == 0 {
			turns = 2
		}
		for range turns {
			q, a := tasks[r.IntN(len(tasks))](r)
			msgs = append(msgs, message{"user", q}, message{"assistant", a})
		}
		if err := enc.Encode(row{Messages: msgs}); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
