package reports

import (
	"context"
	"io"
)

// Renderer turns forms into one kind of document. The PDF and XLSX backends
// implement it; the CLI, the HTTP layer and the batch depend only on this.
// Implementations are safe for concurrent use.
type Renderer interface {
	// Render writes the document for one form to w.
	Render(ctx context.Context, w io.Writer, f *Form) error
	// Format is the short name: "pdf" or "xlsx".
	Format() string
	// ContentType is the media type of the documents written.
	ContentType() string
}
