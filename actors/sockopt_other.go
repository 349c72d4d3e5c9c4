//go:build !linux && !darwin

package actors

// tcpKeepIdle is unknown here: SocketInfo.KeepAliveIdle stays 0.
const tcpKeepIdle = -1
