package supervisor

import (
	"errors"
	"fmt"
	"math/rand/v2"
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

// Retries counts the attempts of something that is retried within a [Budget] (a client
// reconnecting): Next is the wait before the next attempt, spread by Jitter, or -1 once the
// budget is spent; the backoff grows with the failures since the last Succeeded. Not safe
// for concurrent use: its owner calls it from one place (an actor, or under a lock).
type Retries struct {
	Budget Budget
	// Jitter spreads each wait by up to this fraction either way, so that the clients of one
	// server do not all come back at once; 0 means none. It is taken as at most 1 (a wait
	// between none and twice the backoff).
	Jitter   float64
	attempts []time.Time // within the budget's window
	failures int
}

// Next records an attempt and returns the wait before it, or -1 when the budget allows none.
func (r *Retries) Next() time.Duration {
	b := r.Budget.WithDefaults()
	if b.MaxRestarts < 0 {
		return -1
	}
	now := time.Now()
	kept := r.attempts[:0]
	for _, at := range r.attempts {
		if now.Sub(at) < b.Window {
			kept = append(kept, at)
		}
	}
	r.attempts = kept
	if len(r.attempts) >= b.MaxRestarts {
		return -1
	}
	r.attempts = append(r.attempts, now)
	r.failures++
	wait := b.Backoff(r.failures)
	if r.Jitter > 0 {
		wait = time.Duration(float64(wait) * (1 + min(r.Jitter, 1)*(2*rand.Float64()-1)))
	}
	return max(wait, 0)
}

// Succeeded starts the backoff over: the attempt worked (the budget still counts it).
func (r *Retries) Succeeded() { r.failures = 0 }
