package actors

import "syscall"

// tcpKeepIdle is the socket option holding keepalive's idle time, in seconds.
const tcpKeepIdle = syscall.TCP_KEEPIDLE
