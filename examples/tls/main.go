// Command tls is an echo server over TLS, with a certificate it makes for itself at start
// (a CA of its own and a certificate for the address it serves; -ca writes the CA's PEM so
// that a client can trust it), or the one given with -cert and -key.
//
//	go run ./examples/tls                  # serve on 127.0.0.1:7443
//	go run ./examples/tls -ca /tmp/ca.pem  # then: openssl s_client -connect 127.0.0.1:7443 -CAfile /tmp/ca.pem
//	go run ./examples/tls -demo            # also run clients that verify it, check every echo, exit 0
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"time"

	"github.com/actornet/actornet/internal/certs"
	"github.com/actornet/actornet/netapi"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:7443", "address to listen on")
	demo := flag.Bool("demo", false, "run clients against the server, check what comes back, then exit")
	caFile := flag.String("ca", "", "write the CA certificate (PEM) to this file, for clients to trust")
	certFile := flag.String("cert", "", "serve this certificate (PEM) instead of one made at start; with -key")
	keyFile := flag.String("key", "", "the key of -cert (PEM)")
	flag.Parse()
	if err := run(*addr, *demo, *caFile, *certFile, *keyFile); err != nil {
		fmt.Fprintln(os.Stderr, "tls:", err)
		os.Exit(1)
	}
}

func run(addr string, demo bool, caFile, certFile, keyFile string) error {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return fmt.Errorf("bad port %q: %w", portStr, netapi.ErrInvalidPort)
	}
	certPEM, keyPEM, caPEM, err := serverCert(host, certFile, keyFile)
	if err != nil {
		return err
	}
	if caFile != "" && caPEM != nil {
		if err := os.WriteFile(caFile, caPEM, 0o644); err != nil {
			return err
		}
	}
	rt := netapi.New()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = rt.Shutdown(ctx)
	}()

	// The echo is the plain one: pause and resume, backpressure and half-close work on TLS
	// sockets exactly as on plain ones.
	srv := rt.CreateTLSServer(netapi.TLSServerOptions{
		ServerOptions: netapi.ServerOptions{HighWaterMark: 256 << 10, ReuseReadBuffer: true},
		TLSOptions:    netapi.TLSOptions{Cert: certPEM, Key: keyPEM},
	}, func(s *netapi.Socket) {
		s.OnData(func(b []byte) {
			if !s.Write(b, nil) {
				s.Pause()
			}
		})
		s.OnDrain(func() { s.Resume() })
		s.OnError(func(error) {})
	})
	// A client that fails its handshake (a plain TCP client, one that does not trust us).
	srv.OnTLSClientError(func(err error, _ *netapi.Socket) {})
	listening := make(chan struct{})
	failed := make(chan error, 1)
	srv.OnError(func(err error) { failed <- err })
	srv.Listen(netapi.ListenOptions{Port: port, Host: host}, func() { close(listening) })
	select {
	case <-listening:
	case err := <-failed:
		return err
	}
	fmt.Printf("TLS echo server listening on %s\n", srv.Address())
	if !demo {
		stop, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
		defer cancel()
		<-stop.Done()
		return nil
	}
	if caPEM == nil {
		return errors.New("-demo needs the certificate made at start (no -cert)")
	}
	return runDemo(rt, srv.Address().Port, caPEM)
}

// runDemo connects clients that verify the server against the CA, sends each a message,
// ends, and checks that the echo came back whole over TLS 1.3.
func runDemo(rt *netapi.Runtime, port int, ca []byte) error {
	const clients = 5
	results := make(chan error, clients)
	for i := range clients {
		want := bytes.Repeat([]byte(fmt.Sprintf("client %d says hello over TLS. ", i)), 1000)
		var got []byte
		c := rt.ConnectTLSPort(port, "127.0.0.1", netapi.TLSOptions{CA: ca}, nil)
		c.OnSecureConnect(func() {
			if !c.Authorized() || c.GetProtocol() != "TLSv1.3" {
				results <- fmt.Errorf("client %d: authorized %v, protocol %s", i, c.Authorized(), c.GetProtocol())
			}
		})
		c.Write(want, nil) // before the handshake: it waits for it
		c.End(nil, nil)
		c.OnData(func(b []byte) { got = append(got, b...) })
		c.OnError(func(err error) { results <- fmt.Errorf("client %d: %w (%s)", i, err, netapi.Code(err)) })
		c.OnClose(func(hadError bool) {
			switch {
			case hadError: // OnError reported it
			case !bytes.Equal(got, want):
				results <- fmt.Errorf("client %d: got %d bytes back, want %d", i, len(got), len(want))
			default:
				results <- nil
			}
		})
	}
	var errs []error
	for i := range clients {
		select {
		case err := <-results:
			errs = append(errs, err)
		case <-time.After(30 * time.Second):
			return fmt.Errorf("only %d of %d clients finished", i, clients)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	fmt.Printf("demo: %d TLS clients verified the server, every echo checked\n", clients)
	return nil
}

// serverCert is the server's certificate and key: read from files when given, otherwise
// made at start by a CA of its own, for host and localhost; the CA's PEM is returned too.
func serverCert(host, certFile, keyFile string) (certPEM, keyPEM, caPEM []byte, err error) {
	if certFile != "" || keyFile != "" {
		if certPEM, err = os.ReadFile(certFile); err == nil {
			keyPEM, err = os.ReadFile(keyFile)
		}
		return certPEM, keyPEM, nil, err
	}
	ca, err := certs.NewAuthority("actornet example CA")
	if err != nil {
		return nil, nil, nil, err
	}
	pair, err := ca.Issue(certs.Options{Names: []string{host, "localhost", "127.0.0.1"}})
	return pair.CertPEM, pair.KeyPEM, ca.PEM, err
}
