// Command goecho is the plain Go baseline of the benchmark: a goroutine per connection
// copying what it reads back with io.Copy.
//
// By default the reader and writer are wrapped so that io.Copy takes its generic path (a
// 32 KiB buffer) rather than splice(2): splice holds two pipe descriptors per busy
// connection, and pools them after, which on a machine limited to 20,000 descriptors fails
// at 10,000 connections and under connection churn. -splice gives the plain io.Copy(c, c) a
// Go user writes first, which splices on Linux.
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	splice := flag.Bool("splice", false, "io.Copy(c, c) as it is: splice(2) on Linux")
	certFile := flag.String("tls-cert", "", "serve TLS with this certificate (PEM; with -tls-key): crypto/tls's echo")
	keyFile := flag.String("tls-key", "", "the key of -tls-cert (PEM)")
	flag.Parse()
	ln, err := listen(*addr, *certFile, *keyFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("plain Go echo server listening on", ln.Addr())
	for {
		c, err := ln.Accept()
		if err != nil {
			continue
		}
		go func() {
			defer c.Close()
			if *splice {
				_, _ = io.Copy(c, c)
				return
			}
			_, _ = io.Copy(struct{ io.Writer }{c}, struct{ io.Reader }{c})
		}()
	}
}

// listen listens on addr: plain TCP, or TLS when a certificate is given.
func listen(addr, certFile, keyFile string) (net.Listener, error) {
	if certFile == "" {
		return net.Listen("tcp", addr)
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	return tls.Listen("tcp", addr, &tls.Config{Certificates: []tls.Certificate{cert}})
}
