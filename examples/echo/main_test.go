package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestDemo runs the example's -demo mode on a free port, with and without ReuseReadBuffer, on
// the default loops and on one: it fails unless every echo came back as sent.
func TestDemo(t *testing.T) {
	for _, reuse := range []bool{true, false} {
		for _, loops := range []int{0, 1} {
			if err := run("127.0.0.1:0", true, 20, reuse, loops, ""); err != nil {
				t.Fatalf("reuse=%v loops=%d: %v", reuse, loops, err)
			}
		}
	}
}

// TestDebugView: -debug serves the live view of the running server and pprof.
func TestDebugView(t *testing.T) {
	rt := testkit.Runtime(t)
	srv := rt.CreateServer(netapi.ServerOptions{}, nil)
	testkit.Listen(t, srv)
	stop, at, err := serveDebug(rt, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	for _, tc := range []struct{ path, want string }{
		{"/debug/actornet?format=text", "actornet: 1 server, 0 clients\nserver "},
		{"/debug/actornet", `"state": "listening"`},
		{"/debug/pprof/", "goroutine"},
	} {
		res, err := http.Get("http://" + at + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(b), tc.want) {
			t.Errorf("GET %s: got %d %q, want 200 with %q", tc.path, res.StatusCode, b, tc.want)
		}
	}
	srv.Close(nil)
	if err := rt.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
}
