package template

import (
	"encoding/json"
	"strconv"
)

// value is a run-time value of one of the three types.
type value struct {
	k Type
	s string
	i int64
	b bool
}

func (v value) truthy() bool {
	switch v.k {
	case Int:
		return v.i != 0
	case Bool:
		return v.b
	default:
		return v.s != ""
	}
}

func (v value) text() string {
	switch v.k {
	case Int:
		return strconv.FormatInt(v.i, 10)
	case Bool:
		return strconv.FormatBool(v.b)
	default:
		return v.s
	}
}

func execNodes(nodes []node, env map[string]value, out *pieces) error {
	for _, n := range nodes {
		switch n := n.(type) {
		case textNode:
			out.add(n.text, true)
		case outputNode:
			out.add(eval(n.e, env).text(), n.literal)
		case *ifNode:
			taken := false
			for _, br := range n.branches {
				if eval(br.cond, env).truthy() {
					if err := execNodes(br.body, env, out); err != nil {
						return err
					}
					taken = true
					break
				}
			}
			if !taken {
				if err := execNodes(n.elseBody, env, out); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// eval evaluates a checked expression. Checking guarantees operand types,
// so evaluation cannot fail.
func eval(e *cexpr, env map[string]value) value {
	switch e.op {
	case opConst:
		return e.val
	case opVar:
		return env[e.name]
	case opFilter:
		return value{k: String, s: filters[e.name](eval(e.args[0], env).s)}
	case opNot:
		return value{k: Bool, b: !eval(e.args[0], env).truthy()}
	case opAnd:
		for _, a := range e.args {
			if !eval(a, env).truthy() {
				return value{k: Bool, b: false}
			}
		}
		return value{k: Bool, b: true}
	case opOr:
		for _, a := range e.args {
			if eval(a, env).truthy() {
				return value{k: Bool, b: true}
			}
		}
		return value{k: Bool, b: false}
	case opEq, opNe:
		eq := eval(e.args[0], env) == eval(e.args[1], env)
		return value{k: Bool, b: eq == (e.op == opEq)}
	}
	return value{}
}

// jsonQuote returns s as a JSON string literal (with quotes).
func jsonQuote(s string) string {
	b, _ := json.Marshal(s) // marshalling a string cannot fail
	return string(b)
}
