package supervisor_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/actornet/actornet/supervisor"
)

func TestBudgetBackoff(t *testing.T) {
	b := supervisor.Budget{MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}
	for _, tc := range []struct {
		n    int
		want time.Duration
	}{{1, 10 * time.Millisecond}, {2, 20 * time.Millisecond}, {3, 40 * time.Millisecond}, {4, 50 * time.Millisecond}, {60, 50 * time.Millisecond}} {
		t.Run(fmt.Sprint(tc.n), func(t *testing.T) {
			assert.Equal(t, tc.want, b.Backoff(tc.n), "got backoff for restart %d", tc.n)
		})
	}
	assert.Equal(t, 10*time.Millisecond, supervisor.Budget{}.Backoff(1), "the zero budget works")
}

func TestBudgetValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    supervisor.Budget
		ok   bool
	}{
		{"zero", supervisor.Budget{}, true},
		{"negative window", supervisor.Budget{Window: -1}, false},
		{"swapped bounds", supervisor.Budget{MinBackoff: time.Second, MaxBackoff: time.Millisecond}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.b.Validate()
			assert.Equal(t, tc.ok, err == nil, "got %v", err)
			if !tc.ok {
				assert.True(t, errors.Is(err, supervisor.ErrInvalidBudget))
			}
		})
	}
}

func TestPanicErrorUnwraps(t *testing.T) {
	cause := errors.New("cause")
	pe := supervisor.NewPanicError(cause)
	assert.ErrorIs(t, pe, cause)
	assert.Contains(t, pe.Error(), "cause")
	assert.NotEmpty(t, pe.Stack)
	assert.Nil(t, supervisor.NewPanicError("text").Unwrap())
}

// Retries: the waits double from MinBackoff up to MaxBackoff, start over after Succeeded,
// stay within the jitter's spread, and stop (-1) once MaxRestarts attempts fall in the window.
func TestRetries(t *testing.T) {
	b := supervisor.Budget{MaxRestarts: 6, Window: time.Hour, MinBackoff: 10 * time.Millisecond, MaxBackoff: 40 * time.Millisecond}
	r := supervisor.Retries{Budget: b}
	var waits []time.Duration
	for range 3 {
		waits = append(waits, r.Next())
	}
	assert.Equal(t, []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 40 * time.Millisecond}, waits)
	r.Succeeded()
	assert.Equal(t, 10*time.Millisecond, r.Next(), "the backoff starts over")
	assert.Equal(t, 20*time.Millisecond, r.Next())
	assert.Equal(t, 40*time.Millisecond, r.Next())
	assert.Equal(t, time.Duration(-1), r.Next(), "six attempts within the window: spent")

	jittered := supervisor.Retries{Budget: supervisor.Budget{MaxRestarts: 1000, MinBackoff: 100 * time.Millisecond,
		MaxBackoff: 100 * time.Millisecond}, Jitter: 0.2}
	seen := map[time.Duration]bool{}
	for range 200 {
		w := jittered.Next()
		assert.GreaterOrEqual(t, w, 80*time.Millisecond)
		assert.LessOrEqual(t, w, 120*time.Millisecond)
		seen[w] = true
	}
	assert.Greater(t, len(seen), 100, "the waits are spread")
	assert.Equal(t, time.Duration(-1), (&supervisor.Retries{Budget: supervisor.Budget{MaxRestarts: -1}}).Next())
}
