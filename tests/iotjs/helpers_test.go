package iotjs

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// limit bounds a whole scenario: far above what any needs, so only a hang fails it.
const limit = 20 * time.Second

// newRuntime is the Go counterpart of one IoT.js process: a runtime whose callbacks run on one
// event loop, so that state shared by callbacks needs no lock, as in the originals.
func newRuntime(t *testing.T) *netapi.Runtime {
	t.Helper()
	return testkit.Runtime(t, netapi.WithEventLoop())
}

// exit is the originals' process exit: it waits until nothing of rt is open. The originals'
// process.on('exit') assertions follow it.
func exit(t *testing.T, rt *netapi.Runtime) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	require.NoError(t, rt.Wait(ctx), "the scenario never finished (the original would not exit)")
}

// script runs the body of an original, its top-level code, on the runtime's event loop, as
// Node runs a script: then every variable the body and its callbacks share needs no lock.
func script(rt *netapi.Runtime, body func()) { rt.AfterFunc(0, body) }

// listen is server.listen(0, host, backlog, cb) on loopback: the originals' fixed ports
// become ephemeral ones, so the clients start in the listening callback, given the port.
func listen(server *netapi.Server, backlog int, then func(port int)) {
	server.ListenPort(0, "127.0.0.1", backlog, func() { then(server.Address().Port) })
}
