// Run inside the sandbox by capture.test: a Go program with a dialer of its own and Go's own
// resolver (no proxy variables read, no libc), as Go tools and agents' helpers are. It
// connects to HOST:PORT, sends one request and prints the answer's last line, or the error.
package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"time"
)

func main() {
	dialer := net.Dialer{Timeout: 5 * time.Second, Resolver: &net.Resolver{PreferGo: true}}
	conn, err := dialer.DialContext(context.Background(), "tcp", os.Args[1])
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	defer conn.Close()
	if _, err := fmt.Fprintf(conn, "GET /go HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", os.Args[1]); err != nil {
		fmt.Println("error:", err)
		return
	}
	last := ""
	lines := bufio.NewScanner(conn)
	for lines.Scan() {
		last = lines.Text()
	}
	if err := lines.Err(); err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(last)
}
