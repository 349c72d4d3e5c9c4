package supervisor

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/actornet/actornet/messages"
)

// viewTimeout bounds how long Handler waits for a snapshot when the request has no deadline.
const viewTimeout = 5 * time.Second

// Handler serves the tree's [Tree.Snapshot] over HTTP, for a person or a script to look at a
// running service, mounted beside net/http/pprof and expvar:
//
//	http.Handle("/debug/actornet", supervisor.Handler(tree))
//
// A GET answers with the snapshot as JSON (see [Snapshot.MarshalJSON]), or with its text
// form (see [Snapshot.WriteText]) when the query has format=text. Other methods get 405; a
// tree that stopped gets 503. Each request takes a fresh snapshot, bounded by the request's
// context and 5 s. The handler is safe for concurrent use.
func Handler(t *Tree) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "supervisor: only GET and HEAD", http.StatusMethodNotAllowed)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), viewTimeout)
		defer cancel()
		snap, err := t.Snapshot(ctx)
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		var buf bytes.Buffer
		if r.URL.Query().Get("format") == "text" {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_ = snap.WriteText(&buf)
		} else {
			w.Header().Set("Content-Type", "application/json")
			enc := json.NewEncoder(&buf)
			enc.SetIndent("", "  ")
			if err := enc.Encode(snap); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		_, _ = w.Write(buf.Bytes())
	})
}

// The JSON form of a snapshot: lower-case names, PIDs as their ids, addresses as Node's
// address objects, durations in milliseconds; fields that are unknown are left out.
type (
	jsonSnapshot struct {
		Servers []jsonServer `json:"servers"`
		Clients []jsonSocket `json:"clients"`
	}
	jsonServer struct {
		PID         string       `json:"pid"`
		State       string       `json:"state"`
		Address     *jsonAddr    `json:"address,omitempty"`
		Connections int          `json:"connections"`
		Accepted    int64        `json:"accepted"`
		Refused     int64        `json:"refused"`
		Restarts    int64        `json:"restarts"`
		Sockets     []jsonSocket `json:"sockets"`
	}
	jsonSocket struct {
		PID             string    `json:"pid"`
		State           string    `json:"state"`
		Local           *jsonAddr `json:"localAddress,omitempty"`
		Remote          *jsonAddr `json:"remoteAddress,omitempty"`
		BytesRead       int64     `json:"bytesRead"`
		BytesWritten    int64     `json:"bytesWritten"`
		KeepAlive       bool      `json:"keepAlive"`
		KeepAliveIdleMS int64     `json:"keepAliveIdleMs,omitempty"`
		NoDelay         bool      `json:"noDelay"`
		Paused          bool      `json:"paused"`
		AwaitConsumer   bool      `json:"awaitingConsumer"`
		BufferLent      bool      `json:"bufferLent"`
		Held            int       `json:"heldBytes"`
		ReadEnded       bool      `json:"readEnded"`
		WriteEnded      bool      `json:"writeEnded"`
		Draining        bool      `json:"draining"`
		Queued          int       `json:"bufferSize"`
	}
	jsonAddr struct {
		Address string `json:"address"`
		Family  string `json:"family"`
		Port    int    `json:"port"`
	}
)

// MarshalJSON encodes the snapshot for tools and people:
//
//	{"servers": [{"pid": "actornet$1/servers/$1", "state": "listening",
//	              "address": {"address": "127.0.0.1", "family": "IPv4", "port": 7000},
//	              "connections": 1, "sockets": [{"pid": ..., "state": "open", ...}]}],
//	 "clients": [{"pid": "actornet$1/clients/$2", "state": "open",
//	              "localAddress": {...}, "remoteAddress": {...},
//	              "bytesRead": 5, "bytesWritten": 5, "keepAlive": false, "noDelay": true}]}
//
// Socket fields are named as Node's net.Socket properties are.
func (s Snapshot) MarshalJSON() ([]byte, error) {
	js := jsonSnapshot{Servers: []jsonServer{}, Clients: []jsonSocket{}}
	for _, srv := range s.Servers {
		node := jsonServer{PID: pidID(srv.PID), State: srv.State, Address: jsonAddrOf(srv.Addr),
			Connections: len(srv.Connections), Accepted: srv.Accepted, Refused: srv.Refused,
			Restarts: srv.Restarts, Sockets: []jsonSocket{}}
		for _, so := range srv.Sockets {
			node.Sockets = append(node.Sockets, jsonSocketOf(so))
		}
		js.Servers = append(js.Servers, node)
	}
	for _, c := range s.Clients {
		js.Clients = append(js.Clients, jsonSocketOf(c))
	}
	return json.Marshal(js)
}

func jsonSocketOf(si messages.SocketInfo) jsonSocket {
	js := jsonSocket{PID: pidID(si.PID), State: si.State, Local: jsonAddrOf(si.Local),
		Remote: jsonAddrOf(si.Remote), BytesRead: si.BytesRead, BytesWritten: si.BytesWritten,
		KeepAlive: si.KeepAlive, NoDelay: si.NoDelay, Paused: si.Paused, AwaitConsumer: si.AwaitingConsumer,
		BufferLent: si.BufferLent, Held: si.Held, ReadEnded: si.ReadEnded, WriteEnded: si.WriteEnded,
		Draining: si.Draining, Queued: si.Queued}
	if si.KeepAlive {
		js.KeepAliveIdleMS = si.KeepAliveIdle.Milliseconds()
	}
	return js
}

func jsonAddrOf(a messages.Addr) *jsonAddr {
	if a.IsZero() {
		return nil
	}
	return &jsonAddr{Address: a.Address, Family: a.Family, Port: a.Port}
}

func pidID(pid *actor.PID) string {
	if pid == nil {
		return ""
	}
	return pid.Id
}

// WriteText writes the snapshot for a log or a terminal: a heading, then one line per server
// and, indented under it, one per accepted socket, then one per client socket:
//
//	actornet: 1 server, 1 client
//	server actornet$1/servers/$1 listening 127.0.0.1:7000, 1 connection
//	  socket actornet$1/servers/$1/$2 open 127.0.0.1:7000 <- 127.0.0.1:40312, read 5 B, written 5 B, nodelay
//	client actornet$1/clients/$3 open 127.0.0.1:40312 -> 127.0.0.1:7000, read 5 B, written 5 B, nodelay
//
// A socket's state says "paused", "half-closed" (our side ended) or "read-ended" (the peer's
// did) where that applies.
func (s Snapshot) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "actornet: %s, %s\n", plural(len(s.Servers), "server"), plural(len(s.Clients), "client"))
	for _, srv := range s.Servers {
		fmt.Fprintf(&b, "server %s %s", pidID(srv.PID), srv.State)
		if !srv.Addr.IsZero() {
			fmt.Fprintf(&b, " %s", srv.Addr)
		}
		fmt.Fprintf(&b, ", %s", plural(len(srv.Connections), "connection"))
		if srv.Accepted+srv.Refused+srv.Restarts > 0 {
			fmt.Fprintf(&b, " (accepted %d, refused %d, restarts %d)", srv.Accepted, srv.Refused, srv.Restarts)
		}
		b.WriteByte('\n')
		for _, so := range srv.Sockets {
			b.WriteString("  socket ")
			socketLine(&b, so, "<-")
		}
	}
	for _, c := range s.Clients {
		b.WriteString("client ")
		socketLine(&b, c, "->")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// String is the text form of [Snapshot.WriteText].
func (s Snapshot) String() string {
	var b strings.Builder
	_ = s.WriteText(&b)
	return b.String()
}

func socketLine(b *strings.Builder, si messages.SocketInfo, arrow string) {
	fmt.Fprintf(b, "%s %s", pidID(si.PID), si.State)
	if !si.Local.IsZero() || !si.Remote.IsZero() {
		fmt.Fprintf(b, " %s %s %s", addrText(si.Local), arrow, addrText(si.Remote))
	}
	fmt.Fprintf(b, ", read %d B, written %d B", si.BytesRead, si.BytesWritten)
	if si.Queued > 0 {
		fmt.Fprintf(b, ", queued %d B", si.Queued)
	}
	if si.Held > 0 {
		fmt.Fprintf(b, ", held %d B", si.Held)
	}
	for _, f := range []struct {
		on   bool
		name string
	}{{si.Paused, "paused"}, {si.AwaitingConsumer, "awaiting-consumer"}, {si.BufferLent, "buffer-lent"},
		{si.Draining, "draining"}, {si.ReadEnded, "read-ended"}, {si.WriteEnded, "write-ended"}} {
		if f.on && f.name != si.State {
			b.WriteString(", " + f.name)
		}
	}
	if si.NoDelay {
		b.WriteString(", nodelay")
	}
	if si.KeepAlive {
		b.WriteString(", keepalive")
		if si.KeepAliveIdle > 0 {
			fmt.Fprintf(b, " %v", si.KeepAliveIdle)
		}
	}
	b.WriteByte('\n')
}

func addrText(a messages.Addr) string {
	if a.IsZero() {
		return "?"
	}
	return a.String()
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
