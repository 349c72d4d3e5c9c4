package iotjs

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/actornet/actornet/internal/testkit"
	"github.com/actornet/actornet/netapi"
)

// Test_tls ports test/run_pass/test_tls.js: a TLS server that writes "Server hello" to each
// secure connection and keeps what the client sends; clients made with every form of
// tls.connect, each answering "Client hello" and ending; a client of a closed port that gets
// an 'error'; a server without a certificate, whose client's handshake fails on both sides
// ('tlsClientError' on the server, 'error' on the client); and a client that writes before
// its handshake completed (those writes go out after it, in order). Asserted at exit, as in
// the original: every handshake done on both sides, the messages, the errors, the servers
// closed.
//
// Differences, Node deciding: the original's clients without rejectUnauthorized: false
// trust its certificate because IoT.js does not verify by default; Node does, so they get
// the test's CA. The original's unreachable peer, 127.123.123.123:444, becomes a closed port
// on 127.0.0.1 (tests stay on 127.0.0.1).
func Test_tls(t *testing.T) {
	rt := newRuntime(t)
	pki := testkit.NewPKI(t)
	leaf := pki.Leaf(t, testkit.CertOptions{Names: []string{"127.0.0.1", "localhost"}})
	serverOpts := netapi.TLSServerOptions{TLSOptions: netapi.TLSOptions{Cert: leaf.CertPEM, Key: leaf.KeyPEM}}
	noReject := false
	trusting := netapi.TLSOptions{RejectUnauthorized: &noReject}
	verifying := netapi.TLSOptions{CA: pki.CAPEM}

	var (
		clientMessages, serverMessages                                []string
		serverHandshakes, clientHandshakes, serversClosed             int
		errorCaught, tlsClientErrorCaught, socketHandshakeErrorCaught bool
		beforeHandshake                                               string
	)
	// answer is the clients' part: on the server's hello, say hello back and end.
	answer := func(socket *netapi.Socket) {
		socket.OnSecureConnect(func() { clientHandshakes++ })
		socket.OnData(func(b []byte) {
			serverMessages = append(serverMessages, string(b))
			socket.Write([]byte("Client hello"), nil)
			socket.End(nil, nil)
		})
	}
	script(rt, func() {
		server := rt.CreateTLSServer(serverOpts, func(socket *netapi.Socket) {
			serverHandshakes++
			socket.Write([]byte("Server hello"), nil)
			msg := ""
			socket.OnData(func(b []byte) { msg += string(b) })
			socket.OnEnd(func() { clientMessages = append(clientMessages, msg) })
		})
		server.OnClose(func() { serversClosed++ })
		listen(server, 0, func(port int) {
			clients := []*netapi.Socket{
				rt.ConnectTLS(netapi.TLSConnectOptions{ConnectOptions: netapi.ConnectOptions{Port: port, Host: "127.0.0.1"},
					TLSOptions: trusting}, nil), // tls.connect(options, cb)
				rt.ConnectTLSPort(port, "", verifying, nil),                // tls.connect(port)
				rt.ConnectTLSPort(port, "localhost", verifying, nil),       // tls.connect(port, host)
				rt.ConnectTLSPort(port, "localhost", trusting, nil),        // tls.connect(port, host, opts)
				rt.ConnectTLSPort(port, "localhost", trusting, func() {}),  // tls.connect(port, host, opts, cb)
				rt.ConnectTLSPort(port, "localhost", verifying, func() {}), // tls.connect(port, host, cb)
			}
			ended := 0
			for _, c := range clients {
				answer(c)
				c.OnEnd(func() {
					if ended++; ended == len(clients) {
						server.Close(nil)
					}
				})
			}
		})

		closedPort := testkit.ClosedPort(t)
		socket2 := rt.ConnectTLSPort(closedPort, "127.0.0.1", trusting, func() { t.Error("connected to a closed port") })
		socket2.OnError(func(error) { errorCaught = true })

		server2 := rt.CreateTLSServer(netapi.TLSServerOptions{TLSOptions: trusting}, func(*netapi.Socket) {
			t.Error("a handshake completed without a certificate")
		})
		server2.OnTLSClientError(func(err error, _ *netapi.Socket) {
			tlsClientErrorCaught = err != nil
			server2.Close(nil)
		})
		server2.OnClose(func() { serversClosed++ })
		listen(server2, 0, func(port int) {
			socket3 := rt.ConnectTLSPort(port, "127.0.0.1", trusting, nil)
			socket3.OnError(func(err error) { socketHandshakeErrorCaught = err != nil })
		})

		server4 := rt.CreateTLSServer(serverOpts, func(socket *netapi.Socket) {
			serverHandshakes++
			socket.Write([]byte("Server hello"), nil)
			socket.OnData(func(b []byte) { beforeHandshake += string(b) })
		})
		server4.OnClose(func() { serversClosed++ })
		listen(server4, 0, func(port int) {
			socket10 := rt.ConnectTLSPort(port, "127.0.0.1", trusting, nil)
			socket10.OnConnect(func() { // TCP is up, the handshake is not
				socket10.Write([]byte("Client "), nil)
				socket10.Write([]byte("hello"), nil)
			})
			socket10.OnSecureConnect(func() {
				clientHandshakes++
				socket10.Write([]byte("Client hello"), nil)
			})
			socket10.OnData(func(b []byte) {
				serverMessages = append(serverMessages, string(b))
				socket10.End(nil, nil)
			})
			socket10.OnEnd(func() { server4.Close(nil) })
		})
	})
	exit(t, rt)
	assert.True(t, errorCaught, "the closed port's 'error'")
	assert.Equal(t, 7, clientHandshakes)
	assert.Equal(t, 7, serverHandshakes)
	assert.Equal(t, []string{"Client hello", "Client hello", "Client hello", "Client hello", "Client hello", "Client hello"}, clientMessages)
	assert.Len(t, serverMessages, 7)
	for _, m := range serverMessages {
		assert.Equal(t, "Server hello", m)
	}
	assert.Equal(t, "Client helloClient hello", beforeHandshake, "writes before the handshake go out after it, in order")
	assert.Equal(t, 3, serversClosed)
	assert.True(t, tlsClientErrorCaught, "server2's 'tlsClientError'")
	assert.True(t, socketHandshakeErrorCaught, "socket3's 'error'")
}
