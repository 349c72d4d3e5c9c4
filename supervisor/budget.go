package supervisor

import (
	"errors"
	"fmt"
	"time"
)

// Budget bounds how often a failing listener is restarted: at most MaxRestarts restarts within
// Window, each after an exponential backoff between MinBackoff and MaxBackoff. The zero value
// works and means the defaults below. A Budget is a value; copy it freely.
type Budget struct {
	MaxRestarts int           // default 5; a negative value means no restart at all
	Window      time.Duration // default 1 minute
	MinBackoff  time.Duration // default 10 ms
	MaxBackoff  time.Duration // default 2 s
}

// ErrInvalidBudget is wrapped by [Budget.Validate] for a budget it cannot use.
var ErrInvalidBudget = errors.New("supervisor: invalid restart budget")

// Validate reports a budget whose durations are negative or whose backoff bounds are swapped.
func (b Budget) Validate() error {
	if b.Window < 0 || b.MinBackoff < 0 || b.MaxBackoff < 0 {
		return fmt.Errorf("%w: negative duration in %+v", ErrInvalidBudget, b)
	}
	d := b.WithDefaults()
	if d.MinBackoff > d.MaxBackoff {
		return fmt.Errorf("%w: MinBackoff %v > MaxBackoff %v", ErrInvalidBudget, d.MinBackoff, d.MaxBackoff)
	}
	return nil
}

// WithDefaults is b with the defaults in place of its zero fields.
func (b Budget) WithDefaults() Budget {
	if b.MaxRestarts == 0 {
		b.MaxRestarts = 5
	}
	if b.Window == 0 {
		b.Window = time.Minute
	}
	if b.MinBackoff == 0 {
		b.MinBackoff = 10 * time.Millisecond
	}
	if b.MaxBackoff == 0 {
		b.MaxBackoff = 2 * time.Second
	}
	return b
}

// Backoff is the wait before the n-th restart (n counts from 1) within the window.
func (b Budget) Backoff(n int) time.Duration {
	d := b.WithDefaults()
	wait := d.MinBackoff
	for i := 1; i < n && wait < d.MaxBackoff; i++ {
		wait *= 2
	}
	return min(wait, d.MaxBackoff)
}
