package api

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v5"
)

// OpenAPI is the OpenAPI 3.1 description of the routes, served at
// /openapi.json. TestOpenAPICoversRoutes fails when a route is missing
// from it or it names a route that does not exist.
//
//go:embed openapi.json
var OpenAPI []byte

func (s *Server) openapi(c *echo.Context) error {
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.Blob(http.StatusOK, "application/json", OpenAPI)
}
