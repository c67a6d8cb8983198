package ports

import "fmt"

// Error is an adapter failure, naming the port, the adapter and the
// operation. Adapters return it (or wrap it) so a failing stage can say
// exactly which adapter failed.
type Error struct {
	Port    string // e.g. "training_client"
	Adapter string // e.g. "tinker"
	Op      string // e.g. "forward_backward"
	Err     error
}

// Error implements error: "training_client (tinker): forward_backward: ...".
func (e *Error) Error() string {
	if e.Op == "" {
		return fmt.Sprintf("%s (%s): %v", e.Port, e.Adapter, e.Err)
	}
	return fmt.Sprintf("%s (%s): %s: %v", e.Port, e.Adapter, e.Op, e.Err)
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Wrap returns err wrapped in an *Error, or nil when err is nil. An error
// that already is an *Error for the same port is returned unchanged.
func Wrap(port, adapter, op string, err error) error {
	if err == nil {
		return nil
	}
	if pe, ok := err.(*Error); ok && pe.Port == port {
		return err
	}
	return &Error{Port: port, Adapter: adapter, Op: op, Err: err}
}
