package reliability

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
)

func TestMain(m *testing.M) {
	if addr := os.Getenv(soakClientEnv); addr != "" {
		os.Exit(runSoakClient(addr))
	}
	goleak.VerifyTestMain(m)
}

// The shared helpers, under the short names these tests use.
const wait = testkit.Wait

var (
	newEvents   = testkit.NewLog
	newRuntime  = testkit.Runtime
	rawListener = testkit.Listener
	dial        = testkit.Dial
)

func recv[T any](t testing.TB, ch <-chan T) T { t.Helper(); return testkit.Recv(t, ch) }

// echoServer listens on loopback and echoes; it returns the server and its port.
func echoServer(t testing.TB, rt *netapi.Runtime, opts netapi.ServerOptions) (*netapi.Server, int) {
	t.Helper()
	srv := rt.CreateServer(opts, func(s *netapi.Socket) {
		s.OnData(func(b []byte) { s.Write(b, nil) })
		s.OnError(func(error) {})
	})
	return srv, testkit.Listen(t, srv)
}

// openFDs counts this process's open descriptors.
func openFDs(t testing.TB) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	return len(entries)
}
