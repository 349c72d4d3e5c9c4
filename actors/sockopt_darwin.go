package actors

import "syscall"

// tcpKeepIdle is the socket option holding keepalive's idle time, in seconds (TCP_KEEPALIVE
// on Darwin).
const tcpKeepIdle = syscall.TCP_KEEPALIVE
