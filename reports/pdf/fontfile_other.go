//go:build !unix

package pdf

import "os"

func readFontFile(path string) ([]byte, error) { return os.ReadFile(path) }
