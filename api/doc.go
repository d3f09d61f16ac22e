// Package api is reportd's HTTP service (Echo v5): stateless rendering,
// the form store with history and optimistic concurrency, bearer-token
// auth, health, metrics and the OpenAPI description.
//
// It only translates: HTTP bodies become reports.Form values through the
// injected formfile.Readers, forms are checked by the injected validation,
// kept by a store.Store and drawn by the injected reports.Renderer of each
// format. Every failure is a *reports.Error mapped to a status in one place
// (errors.go); internal causes are logged, never sent.
//
// Routes (see openapi.json, which a test keeps in step with the router):
//
//	POST   /api/v1/render?format=pdf|xlsx   any role; one document, or a zip
//	POST   /api/v1/forms/import             admin, clerk (own units)
//	GET    /api/v1/forms?year=&unit=&q=&page=&page_size=
//	GET    /api/v1/forms/{id}               ETag "v{version}"; .pdf / .xlsx for documents
//	PUT    /api/v1/forms/{id}               If-Match required (428), stale → 412
//	DELETE /api/v1/forms/{id}               If-Match required (428), stale → 412
//	GET    /api/v1/forms/{id}/versions
//	GET    /healthz, /readyz, /metrics, /openapi.json
//
// A clerk's token names its 申报单位; forms of other units answer 404 as if
// they did not exist. Service tokens may only render.
package api
