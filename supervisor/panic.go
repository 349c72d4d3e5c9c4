package supervisor

import (
	"fmt"
	"runtime/debug"
)

// PanicError is the error a socket or server reports when code running inside its actor
// panicked: the actor's own code or an owner's callback run there. The actor is closed, never
// restarted. Use errors.As to get it; Unwrap returns Value when Value is an error.
type PanicError struct {
	Value any    // what was passed to panic
	Stack []byte // the goroutine's stack where the panic happened
}

// NewPanicError captures the current stack. Call it from the deferred function that recovered.
func NewPanicError(value any) *PanicError {
	return &PanicError{Value: value, Stack: debug.Stack()}
}

func (e *PanicError) Error() string { return fmt.Sprintf("actornet: panic: %v", e.Value) }

// Unwrap returns the panic value when it is an error, so errors.Is sees through a panic(err).
func (e *PanicError) Unwrap() error {
	if err, ok := e.Value.(error); ok {
		return err
	}
	return nil
}
