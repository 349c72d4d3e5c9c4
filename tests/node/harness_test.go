package node

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// limit bounds one run of a scenario, on either side.
const limit = 30 * time.Second

// nodeBinary finds node, or skips the test; in CI (CI=true) a missing node fails it.
func nodeBinary(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("node is not installed, and CI=true: the Node tests must run in CI")
		}
		t.Skip("node is not installed: the differential tests against Node.js are skipped")
	}
	return path
}

// runNode runs scenarios/<name>.js and returns its output lines.
func runNode(t *testing.T, node, name string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("scenarios", name+".js"))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "node %s.js failed:\n%s", name, out)
	return lines(string(out))
}

func lines(s string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// recorder is the Go side of scenarios/_log.js: one log per side, printed side by side.
type recorder struct {
	mu   sync.Mutex
	logs map[string][]string
}

// log appends words, formatted as JavaScript's Array.join would, to side's log.
func (r *recorder) log(side string, words ...any) {
	parts := make([]string, len(words))
	for i, w := range words {
		parts[i] = js(w)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logs[side] = append(r.logs[side], strings.Join(parts, " "))
}

func (r *recorder) output() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, side := range slices.Sorted(func(yield func(string) bool) {
		for k := range r.logs {
			if !yield(k) {
				return
			}
		}
	}) {
		for _, l := range r.logs[side] {
			out = append(out, side+": "+l)
		}
	}
	return out
}

// js formats a value as JavaScript's String() in a join: nil prints as nothing.
func js(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case error:
		return x.Error()
	default:
		return fmt.Sprint(x)
	}
}

// code is scenarios/_log.js's code(): the error's code, or "none".
func code(err error) string {
	if err == nil {
		return "none"
	}
	if c := netapi.Code(err); c != "" {
		return c
	}
	return err.Error()
}

// runGo runs a scenario's Go twin the way Node runs its script: its top level on the event
// loop, then until nothing is open; it returns the log.
func runGo(t *testing.T, body func(rt *netapi.Runtime, r *recorder)) []string {
	t.Helper()
	rt := netapi.New(netapi.WithEventLoop(), netapi.WithLogger(testkit.Logger(t)))
	r := &recorder{logs: map[string][]string{}}
	rt.AfterFunc(0, func() { body(rt, r) })
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	waitErr := rt.Wait(ctx)
	require.NoError(t, rt.Shutdown(ctx))
	require.NoError(t, waitErr, "the Go twin never finished; its log so far: %q", r.output())
	return r.output()
}

func scriptNames(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("scenarios", "*.js"))
	require.NoError(t, err)
	var names []string
	for _, f := range files {
		if name := strings.TrimSuffix(filepath.Base(f), ".js"); !strings.HasPrefix(name, "_") {
			names = append(names, name)
		}
	}
	return names
}
