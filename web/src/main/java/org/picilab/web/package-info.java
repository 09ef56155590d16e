/**
 * The web app: the REST API under {@code /api} over the sweep and run services of the platform
 * layer (the same services the command line wraps), errors as {@code application/problem+json},
 * OpenAPI at {@code /q/openapi} and health at {@code /q/health}. It holds no engine code.
 */
package org.picilab.web;
