package reliability

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
)

// The helpers of the attack tests (attack_*_test.go): runtimes of both kinds, a tally that
// checks every callback ran exactly once, and Wait and Shutdown bounded in time.

// settle bounds the wait for callbacks that are owed already: everything that could make
// them run has happened (a close, a Shutdown), so this is far above what they need.
const settle = 5 * time.Second

// attackRuntimes are the two ways callbacks run: inside the actors, or on one event loop.
var attackRuntimes = []struct {
	name string
	opts []netapi.Option
}{
	{"default", nil},
	{"eventloop", []netapi.Option{netapi.WithEventLoop()}},
}

// eachRuntime runs fn as a subtest per kind of runtime.
func eachRuntime(t *testing.T, fn func(t *testing.T, opts []netapi.Option)) {
	t.Helper()
	for _, k := range attackRuntimes {
		t.Run(k.name, func(t *testing.T) { fn(t, k.opts) })
	}
}

// attackRuntime makes a runtime that is shut down with the test; a Shutdown that fails or
// does not return is reported, never waited for without bound.
func attackRuntime(t testing.TB, opts []netapi.Option) *netapi.Runtime {
	t.Helper()
	rt := netapi.New(append([]netapi.Option{netapi.WithLogger(testkit.Logger(t))}, opts...)...)
	t.Cleanup(func() {
		if err := shutdownWithin(rt, wait); err != nil {
			t.Errorf("shutdown at the end of the test: %v", err)
		}
	})
	return rt
}

var errHung = errors.New("did not return")

// shutdownWithin calls rt.Shutdown with a context of d and waits for it at most d plus the
// time the tree may take to stop, plus a margin.
func shutdownWithin(rt *netapi.Runtime, d time.Duration) error {
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		defer cancel()
		done <- rt.Shutdown(ctx)
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(d + 15*time.Second):
		return fmt.Errorf("Shutdown %w within %v", errHung, d+15*time.Second)
	}
}

// waitWithin calls rt.Wait with a context of d.
func waitWithin(rt *netapi.Runtime, d time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return rt.Wait(ctx)
}

// waitResult is what a Wait in the background saw when it returned.
type waitResult struct {
	err   error
	probe string // the probe's view of the world at that moment
}

// waitAsync runs rt.Wait (bounded by d) on a goroutine of its own; when it returns, probe
// describes what had happened by then, so that a test can tell a Wait that returned early.
func waitAsync(rt *netapi.Runtime, d time.Duration, probe func() string) <-chan waitResult {
	ch := make(chan waitResult, 1)
	go func() {
		err := waitWithin(rt, d)
		ch <- waitResult{err: err, probe: probe()}
	}()
	return ch
}

// within receives from ch, or reports false after d.
func within[T any](ch <-chan T, d time.Duration) (T, bool) {
	select {
	case v := <-ch:
		return v, true
	case <-time.After(d):
		var zero T
		return zero, false
	}
}

// isDone reports whether ch is closed (or has a value), without waiting.
func isDone[T any](ch <-chan T) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// tally counts the calls of named callbacks, each of which must run exactly once. It is
// safe for concurrent use.
type tally struct {
	mu      sync.Mutex
	order   []string // names expected, in the order they were made
	calls   map[string]int
	errs    map[string]error // the error of a callback's first call
	changed chan struct{}
}

func newTally() *tally {
	return &tally{calls: map[string]int{}, errs: map[string]error{}, changed: make(chan struct{}, 1)}
}

func (c *tally) expect(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.calls[name]; !ok {
		c.order = append(c.order, name)
		c.calls[name] = 0
	}
}

func (c *tally) hit(name string, err error) {
	c.mu.Lock()
	c.calls[name]++
	if c.calls[name] == 1 {
		c.errs[name] = err
	}
	c.mu.Unlock()
	select {
	case c.changed <- struct{}{}:
	default:
	}
}

// fn is a callback that must run exactly once.
func (c *tally) fn(name string) func() {
	c.expect(name)
	return func() { c.hit(name, nil) }
}

// errFn is a callback with an error that must run exactly once.
func (c *tally) errFn(name string) func(error) {
	c.expect(name)
	return func(err error) { c.hit(name, err) }
}

// count is how many times name ran.
func (c *tally) count(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[name]
}

// has reports whether name is expected.
func (c *tally) has(name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.calls[name]
	return ok
}

// err is the error name's first call got.
func (c *tally) err(name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.errs[name]
}

// missing lists the expected callbacks that have not run.
func (c *tally) missing() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, n := range c.order {
		if c.calls[n] == 0 {
			out = append(out, n)
		}
	}
	return out
}

// waitAll waits at most d for every expected callback to run; it returns those that did not.
func (c *tally) waitAll(d time.Duration) []string {
	deadline := time.After(d)
	for {
		m := c.missing()
		if len(m) == 0 {
			return nil
		}
		select {
		case <-c.changed:
		case <-deadline:
			return m
		}
	}
}

// waitFor waits at most d until cond holds; cond is checked at each call counted.
func (c *tally) waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.After(d)
	for {
		if cond() {
			return true
		}
		select {
		case <-c.changed:
		case <-deadline:
			return cond()
		}
	}
}

// check waits (at most settle) for the callbacks owed and reports every one that never ran
// or ran more than once, grouped by kind (the name's words before its first digit).
func (c *tally) check(t testing.TB, what string) {
	t.Helper()
	c.waitAll(settle)
	c.mu.Lock()
	defer c.mu.Unlock()
	never, twice := map[string][]string{}, map[string][]string{}
	for _, n := range c.order {
		switch k := c.calls[n]; {
		case k == 0:
			never[kindOf(n)] = append(never[kindOf(n)], n)
		case k > 1:
			twice[kindOf(n)] = append(twice[kindOf(n)], fmt.Sprintf("%s (%d times)", n, k))
		}
	}
	for _, kind := range sortedKeys(never) {
		t.Errorf("%s: %d of the %q callbacks never ran, e.g. %q", what, len(never[kind]), kind, head(never[kind], 5))
	}
	for _, kind := range sortedKeys(twice) {
		t.Errorf("%s: %d of the %q callbacks ran more than once: %q", what, len(twice[kind]), kind, head(twice[kind], 5))
	}
}

// codes counts the Node codes of the errors the named callbacks got ("nil" for none).
func (c *tally) codes(prefix string) map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for _, n := range c.order {
		if !strings.HasPrefix(n, prefix) || c.calls[n] == 0 {
			continue
		}
		code := "nil"
		if err := c.errs[n]; err != nil {
			code = netapi.Code(err)
			if code == "" {
				code = err.Error()
			}
		}
		out[code]++
	}
	return out
}

// kindOf is a callback name's kind: "g3 write 17" -> "write", "end 2" -> "end".
func kindOf(name string) string {
	var words []string
	for _, w := range strings.Fields(name) {
		if w[0] >= '0' && w[0] <= '9' || w[0] == 'g' && len(w) > 1 && w[1] >= '0' && w[1] <= '9' {
			continue
		}
		words = append(words, w)
	}
	return strings.Join(words, " ")
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func head[T any](s []T, n int) []T { return s[:min(n, len(s))] }

// streamResult is what a plain Go peer read from one connection.
type streamResult struct {
	n   int64
	sum [32]byte
	err error // nil for a clean EOF (a FIN)
}

// readStream reads c to its end with bufSize reads, hashing what came.
func readStream(c net.Conn, bufSize int) streamResult {
	h := sha256.New()
	buf := make([]byte, bufSize)
	var r streamResult
	for {
		n, err := c.Read(buf)
		h.Write(buf[:n])
		r.n += int64(n)
		if err == io.EOF {
			break
		}
		if err != nil {
			r.err = err
			break
		}
	}
	copy(r.sum[:], h.Sum(nil))
	return r
}

// endFn adapts a callback of no argument to End's, which gets the error of an End that
// never finished.
func endFn(f func()) func(error) { return func(error) { f() } }
