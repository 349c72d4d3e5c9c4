package supervisor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
	"github.com/actornet/actornet/supervisor"
)

type viewAddr struct {
	Address string `json:"address"`
	Family  string `json:"family"`
	Port    int    `json:"port"`
}

type viewSocket struct {
	PID          string    `json:"pid"`
	State        string    `json:"state"`
	Local        *viewAddr `json:"localAddress"`
	Remote       *viewAddr `json:"remoteAddress"`
	BytesRead    int64     `json:"bytesRead"`
	BytesWritten int64     `json:"bytesWritten"`
	NoDelay      bool      `json:"noDelay"`
	Paused       bool      `json:"paused"`
}

type view struct {
	Servers []struct {
		PID         string       `json:"pid"`
		State       string       `json:"state"`
		Address     *viewAddr    `json:"address"`
		Connections int          `json:"connections"`
		Accepted    int64        `json:"accepted"`
		Sockets     []viewSocket `json:"sockets"`
	} `json:"servers"`
	Clients []viewSocket `json:"clients"`
}

// TestHandler serves the snapshot of a real runtime, an echo server with two clients that
// each had "hello" echoed, as JSON and as text.
func TestHandler(t *testing.T) {
	rt := testkit.Runtime(t)
	srv := rt.CreateServer(netapi.ServerOptions{}, func(s *netapi.Socket) {
		s.OnData(func(b []byte) { s.Write(b, nil) })
	})
	port := testkit.Listen(t, srv)
	const clients = 2
	echoed := make(chan struct{}, clients)
	var socks []*netapi.Socket
	for range clients {
		c := rt.ConnectPort(port, "127.0.0.1", nil)
		c.OnData(func([]byte) { echoed <- struct{}{} })
		c.WriteString("hello", nil)
		socks = append(socks, c)
	}
	for range clients {
		testkit.Recv(t, echoed)
	}
	socks[0].Pause() // before the requests: its actor handles it before their Inspect
	hs := httptest.NewServer(supervisor.Handler(rt.Tree()))
	defer hs.Close()

	t.Run("JSON", func(t *testing.T) {
		code, ctype, body := get(t, hs.URL)
		require.Equal(t, http.StatusOK, code, body)
		assert.Equal(t, "application/json", ctype)
		var v view
		require.NoError(t, json.Unmarshal([]byte(body), &v), body)
		require.Len(t, v.Servers, 1, body)
		s := v.Servers[0]
		assert.Equal(t, "listening", s.State)
		require.NotNil(t, s.Address)
		assert.Equal(t, viewAddr{"127.0.0.1", "IPv4", port}, *s.Address)
		assert.Equal(t, clients, s.Connections)
		assert.Equal(t, int64(clients), s.Accepted)
		require.Len(t, s.Sockets, clients, body)
		require.Len(t, v.Clients, clients, body)
		paused := 0
		for i, c := range v.Clients {
			if c.Paused {
				paused++
				assert.Equal(t, "paused", c.State, "client %d", i)
			} else {
				assert.Equal(t, "open", c.State, "client %d", i)
			}
			require.NotNil(t, c.Remote, "client %d", i)
			assert.Equal(t, port, c.Remote.Port, "client %d", i)
			assert.Equal(t, int64(5), c.BytesRead, "client %d", i)
			assert.Equal(t, int64(5), c.BytesWritten, "client %d", i)
			assert.True(t, c.NoDelay, "client %d", i)
			assert.Contains(t, c.PID, "clients/", "client %d", i)
		}
		assert.Equal(t, 1, paused, "paused clients")
		for i, a := range s.Sockets {
			assert.Equal(t, "open", a.State, "accepted socket %d", i)
			require.NotNil(t, a.Local, "accepted socket %d", i)
			assert.Equal(t, port, a.Local.Port, "accepted socket %d", i)
			assert.Equal(t, int64(5), a.BytesRead, "accepted socket %d", i)
		}
	})
	t.Run("text", func(t *testing.T) {
		code, ctype, body := get(t, hs.URL+"?format=text")
		require.Equal(t, http.StatusOK, code, body)
		assert.True(t, strings.HasPrefix(ctype, "text/plain"), "got Content-Type %q, want text/plain", ctype)
		lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
		require.Len(t, lines, 1+1+clients+clients, body)
		assert.Equal(t, "actornet: 1 server, 2 clients", lines[0])
		assert.Regexp(t, fmt.Sprintf(`^server \S+/servers/\S+ listening 127\.0\.0\.1:%d, 2 connections \(accepted 2, refused 0, restarts 0\)$`, port), lines[1])
		for _, l := range lines[2 : 2+clients] {
			assert.Regexp(t, fmt.Sprintf(`^  socket \S+ open 127\.0\.0\.1:%d <- 127\.0\.0\.1:\d+, read 5 B, written 5 B, nodelay$`, port), l)
		}
		for _, l := range lines[2+clients:] {
			assert.Regexp(t, fmt.Sprintf(`^client \S+/clients/\S+ (open|paused) 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:%d, read 5 B, written 5 B, nodelay$`, port), l)
		}
	})
	t.Run("POST", func(t *testing.T) {
		res, err := http.Post(hs.URL, "text/plain", nil)
		require.NoError(t, err)
		res.Body.Close()
		assert.Equal(t, http.StatusMethodNotAllowed, res.StatusCode)
	})
	t.Run("stopped tree", func(t *testing.T) {
		require.NoError(t, rt.Shutdown(context.Background()))
		code, _, body := get(t, hs.URL)
		assert.Equal(t, http.StatusServiceUnavailable, code, body)
	})
}

func get(t *testing.T, url string) (code int, contentType, body string) {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, res.Header.Get("Content-Type"), string(b)
}
