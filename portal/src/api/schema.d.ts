// Generated from GET /api/openapi.json by portal/scripts/api-types.ts. Do not edit: run `npm run generate:api -w portal`.

export interface paths {
    "/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The audit trail, newest first
         * @description Who created, changed, tested, ran or deleted a connection, export or webhook, changed the schedule, suppressed or erased, and when; never a secret value.
         */
        get: operations["listAudit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/connections": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List connections
         * @description Admins see every connection; contributors only those open to contributors.
         */
        get: operations["listConnections"];
        put?: never;
        /**
         * Create a connection
         * @description Credentials are checked against the destination and stored in the secret store; responses show only `credentials: { set, updatedAt }`. `consent` must be `true`; the caller becomes the export user.
         */
        post: operations["createConnection"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/connections/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read a connection */
        get: operations["getConnection"];
        put?: never;
        post?: never;
        /**
         * Delete a connection and its secret
         * @description Refused with 409 (listing `exports`) while exports use the connection, unless `force=true`: those exports are then disabled with `disabledReason: connection-removed`.
         */
        delete: operations["deleteConnection"];
        options?: never;
        head?: never;
        /**
         * Change a connection
         * @description Rename, open or close to contributors, or replace the credentials (the caller becomes the export user).
         */
        patch: operations["patchConnection"];
        trace?: never;
    };
    "/connections/{id}/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Test the stored credentials against the destination
         * @description A cheap authenticated call. Refused credentials are a result: 200 `{ ok: false, reason: "auth-failed" | "terms-not-accepted", message }`. A destination that cannot be reached: 502 problem.
         */
        post: operations["testConnection"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/dashboard": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every export's health at a glance, a page at a time
         * @description Per export the caller may see (contributors: those on connections open to contributors): the last run (status, when), the failure streak, the next scheduled run, and its audiences by the state of their latest reading (how many are still processing at the destination, out of step with the ledger, not read yet).
         */
        get: operations["listExportHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/destinations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The destination catalog
         * @description Per destination: credential fields and export settings as JSON Schema, the profile fields it takes, and its limits.
         */
        get: operations["listDestinations"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/erasures": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Erase a person: out of every audience, ledger and report, now
         * @description Suppresses the address and starts its removal from every audience whose ledger holds it, without waiting for a run. Follow it at the status URL.
         */
        post: operations["requestErasure"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/erasures/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An erasure and its outcome per destination */
        get: operations["getErasure"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/exports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List exports
         * @description Admins see every export; contributors those on connections open to contributors.
         */
        get: operations["listExports"];
        put?: never;
        /**
         * Create an export
         * @description Checked against the connection (exists, the caller may use it), the destination (settings, profile fields) and the segment catalog (mapped columns exist in the latest file, when known). Saving never runs the export.
         */
        post: operations["createExport"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/exports/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read an export */
        get: operations["getExport"];
        put?: never;
        post?: never;
        /** Delete an export, its run history, its webhooks and its membership ledgers */
        delete: operations["deleteExport"];
        options?: never;
        head?: never;
        /**
         * Change an export
         * @description The result is validated as a whole, as on creation. Setting `enabled` clears `disabledReason`.
         */
        patch: operations["patchExport"];
        trace?: never;
    };
    "/exports/{id}/audiences": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * What the destination made of an export's audiences: per segment the latest reading
         * @description Per segment: members the ledger tracks, the sizes the destination reports (its own fields), a match rate where both are known (an estimate where the service rounds or counts matched users only), the processing state, drift from the ledger, and the last run's adds and removes. Readings are taken at the end of each run and by a timer (every 4 hours in the two days after a run, daily after).
         */
        get: operations["listExportAudiences"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/exports/{id}/audiences/{segment}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An audience's readings over time, newest first */
        get: operations["listAudienceHistory"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/exports/{id}/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Dry run: what a run would send, without sending or recording anything
         * @description Reads each segment's newest file and plans the run against the audience ledgers: counts of adds, removes, invalid, duplicate and over-limit rows, and the first 20 records as the destination would receive them. Nothing is written to the destination or a ledger.
         */
        post: operations["previewExport"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/exports/{id}/run": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Run an export now
         * @description Starts a run on demand. One run per export is active at a time: while one is queued or running, the call answers 409 with the active run's `activeRunId` and `statusUrl` instead of starting another. A disabled export is also refused with 409 (`errors` names `enabled`).
         */
        post: operations["runExport"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/exports/{id}/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List an export's runs, newest first */
        get: operations["listExportRuns"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/exports/{id}/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * An export's run notification webhooks
         * @description URLs and signing keys are write-only: a webhook shows only that they are set.
         */
        get: operations["listWebhooks"];
        put?: never;
        /**
         * Add a run notification webhook
         * @description Runs of the export that end with one of `outcomes` are posted to the URL: a Teams Adaptive Card, a Slack message, or JSON signed with HMAC-SHA256 (`X-Segment-Export-Signature: sha256=<hex of HMAC(key, "<X-Segment-Export-Timestamp>.<body>")>`). Failed deliveries are retried with backoff; they never change the run. URL and key go to the secret store; PATCH replaces them.
         */
        post: operations["createWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/exports/{id}/webhooks/{webhookId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove a webhook and its secrets */
        delete: operations["deleteWebhook"];
        options?: never;
        head?: never;
        /**
         * Change a webhook
         * @description Name and outcomes; a new `url` or `signingKey` replaces the stored one (write-only). The format stays: add another webhook for another format.
         */
        patch: operations["patchWebhook"];
        trace?: never;
    };
    "/exports/{id}/webhooks/{webhookId}/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a sample notification
         * @description Posts a sample notice (a failed test run, marked `test`) as a real run would, and reports how the receiver answered.
         */
        post: operations["testWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The calling principal and its roles */
        get: operations["getMe"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This API as an OpenAPI 3.1 document */
        get: operations["openApiDocument"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/runs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read a run: status, progress, counts per segment */
        get: operations["getRun"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/runs/{id}/rejected": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The rejected-rows report of a run (CSV: segment, row, reason, value) */
        get: operations["getRunRejectedRows"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/schedule": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read the refresh schedule
         * @description Until an admin saves one, the REFRESH_SCHEDULE setting (`source: setting`, no ETag).
         */
        get: operations["getSchedule"];
        /**
         * Set the refresh schedule
         * @description NCRONTAB with six fields (seconds first), UTC. Applies from the next timer tick, without a restart.
         */
        put: operations["putSchedule"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/segments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the segment catalog
         * @description Every segment a file has landed for: latest file, columns, row count, refreshed at.
         */
        get: operations["listSegments"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/suppressions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The suppression list (hashes only) */
        get: operations["listSuppressions"];
        put?: never;
        /**
         * Suppress addresses: never sent again, and removed from audiences by the next run
         * @description Only the SHA-256 of each normalized address is kept. For large lists, drop a CSV at `segments/suppressions/<name>.csv`.
         */
        post: operations["addSuppressions"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/suppressions/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Take an address off the suppression list */
        delete: operations["deleteSuppression"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description RFC 9457 problem details. */
        Problem: {
            type: string;
            title: string;
            status: number;
            detail?: string;
            instance?: string;
            errors?: {
                /** @description Dotted path of the field, e.g. `dataMatching.email`. */
                field: string;
                message: string;
            }[];
        } & {
            [key: string]: unknown;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listAudit: {
        parameters: {
            query?: {
                /** @description Items per page (1-1000, default 100). */
                top?: number;
                /** @description The `continuation` of the previous page. */
                continuation?: string;
                /** @description Only entries about this kind of entity. */
                entity?: "connection" | "export" | "webhook" | "schedule" | "suppression" | "erasure";
                /** @description Only entries about this entity. */
                entityId?: string;
                /** @description Only entries by this user id. */
                user?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of entries */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            id: string;
                            at: string;
                            actor: {
                                userId: string;
                                userDetails: string;
                            };
                            /** @description e.g. `connection.created`, `export.changed`, `schedule.changed`, `erasure.requested`. */
                            action: string;
                            entity: {
                                type: string;
                                id: string;
                            };
                            /** @description The fields set; secrets as `(set)`, never their values. */
                            changes?: {
                                [key: string]: string | number | boolean | null;
                            };
                        }[];
                        /** @description Pass as `?continuation=` for the next page; absent on the last page. */
                        continuation?: string;
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listConnections: {
        parameters: {
            query?: {
                /** @description Items per page (1-1000, default 100). */
                top?: number;
                /** @description The `continuation` of the previous page. */
                continuation?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of connections */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            id: string;
                            /** @enum {string} */
                            type: "adroll" | "rollworks" | "microsoft-advertising" | "autopilot" | "google-ads" | "meta" | "ortto" | "linkedin";
                            displayName: string;
                            allowContributors: boolean;
                            consent: {
                                /** @constant */
                                accepted: true;
                                acceptedBy: {
                                    userId: string;
                                    userDetails: string;
                                };
                                acceptedAt: string;
                            };
                            exportUser: {
                                userId: string;
                                userDetails: string;
                            };
                            credentials: {
                                set: boolean;
                                updatedAt?: string;
                            };
                            lastTest?: {
                                ok: boolean;
                                reason?: string;
                                at: string;
                                by: {
                                    userId: string;
                                    userDetails: string;
                                };
                            };
                            createdBy: {
                                userId: string;
                                userDetails: string;
                            };
                            createdAt: string;
                            updatedAt: string;
                            etag?: string;
                        }[];
                        /** @description Pass as `?continuation=` for the next page; absent on the last page. */
                        continuation?: string;
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin or contributor). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    createConnection: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    type: "adroll" | "rollworks" | "microsoft-advertising" | "autopilot" | "google-ads" | "meta" | "ortto" | "linkedin";
                    /** @description Unique among connections of the same type (case-insensitive). */
                    displayName: string;
                    /** @description Write-only. Fields depend on the destination type: `credentials` in GET /api/destinations. */
                    credentials: {
                        [key: string]: unknown;
                    };
                    /**
                     * @description Let contributors create and run exports on this connection.
                     * @default false
                     */
                    allowContributors?: boolean;
                    /**
                     * @description Must be `true`: the caller accepts that data leaves the compliance boundary. Stored with who and when.
                     * @constant
                     */
                    consent: true;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    ETag?: string;
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        /** @enum {string} */
                        type: "adroll" | "rollworks" | "microsoft-advertising" | "autopilot" | "google-ads" | "meta" | "ortto" | "linkedin";
                        displayName: string;
                        allowContributors: boolean;
                        consent: {
                            /** @constant */
                            accepted: true;
                            acceptedBy: {
                                userId: string;
                                userDetails: string;
                            };
                            acceptedAt: string;
                        };
                        exportUser: {
                            userId: string;
                            userDetails: string;
                        };
                        credentials: {
                            set: boolean;
                            updatedAt?: string;
                        };
                        lastTest?: {
                            ok: boolean;
                            reason?: string;
                            at: string;
                            by: {
                                userId: string;
                                userDetails: string;
                            };
                        };
                        createdBy: {
                            userId: string;
                            userDetails: string;
                        };
                        createdAt: string;
                        updatedAt: string;
                        etag?: string;
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A connection of this type already has that display name (problem+json). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is over 1 MB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getConnection: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The id the create call returned. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The connection */
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        /** @enum {string} */
                        type: "adroll" | "rollworks" | "microsoft-advertising" | "autopilot" | "google-ads" | "meta" | "ortto" | "linkedin";
                        displayName: string;
                        allowContributors: boolean;
                        consent: {
                            /** @constant */
                            accepted: true;
                            acceptedBy: {
                                userId: string;
                                userDetails: string;
                            };
                            acceptedAt: string;
                        };
                        exportUser: {
                            userId: string;
                            userDetails: string;
                        };
                        credentials: {
                            set: boolean;
                            updatedAt?: string;
                        };
                        lastTest?: {
                            ok: boolean;
                            reason?: string;
                            at: string;
                            by: {
                                userId: string;
                                userDetails: string;
                            };
                        };
                        createdBy: {
                            userId: string;
                            userDetails: string;
                        };
                        createdAt: string;
                        updatedAt: string;
                        etag?: string;
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin or contributor). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or on a connection not open to the caller. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    deleteConnection: {
        parameters: {
            query?: {
                /** @description `true`: delete even when exports use the connection; they are disabled with reason `connection-removed`. */
                force?: "true" | "false";
            };
            header?: {
                /** @description ETag from a previous read; the change is refused with 412 when it is stale. */
                "If-Match"?: string;
            };
            path: {
                /** @description The id the create call returned. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted; the exports that were disabled */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        /** @description Exports disabled with reason `connection-removed`. */
                        disabledExports: string[];
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or on a connection not open to the caller. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Exports use the connection (problem+json with `exports`). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description If-Match names an ETag that is no longer current: read again and retry. */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    patchConnection: {
        parameters: {
            query?: never;
            header?: {
                /** @description ETag from a previous read; the change is refused with 412 when it is stale. */
                "If-Match"?: string;
            };
            path: {
                /** @description The id the create call returned. */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Unique among connections of the same type (case-insensitive). */
                    displayName?: string;
                    /** @description Replaces the stored credentials; the caller becomes the export user. */
                    credentials?: {
                        [key: string]: unknown;
                    };
                    allowContributors?: boolean;
                };
            };
        };
        responses: {
            /** @description The changed connection */
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        /** @enum {string} */
                        type: "adroll" | "rollworks" | "microsoft-advertising" | "autopilot" | "google-ads" | "meta" | "ortto" | "linkedin";
                        displayName: string;
                        allowContributors: boolean;
                        consent: {
                            /** @constant */
                            accepted: true;
                            acceptedBy: {
                                userId: string;
                                userDetails: string;
                            };
                            acceptedAt: string;
                        };
                        exportUser: {
                            userId: string;
                            userDetails: string;
                        };
                        credentials: {
                            set: boolean;
                            updatedAt?: string;
                        };
                        lastTest?: {
                            ok: boolean;
                            reason?: string;
                            at: string;
                            by: {
                                userId: string;
                                userDetails: string;
                            };
                        };
                        createdBy: {
                            userId: string;
                            userDetails: string;
                        };
                        createdAt: string;
                        updatedAt: string;
                        etag?: string;
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or on a connection not open to the caller. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The new display name is taken (problem+json). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description If-Match names an ETag that is no longer current: read again and retry. */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is over 1 MB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    testConnection: {
        parameters: {
            query?: never;
            header?: {
                /** @description Any value; or send `Content-Type: application/json`. Either is required (CSRF defence). */
                "X-Requested-With"?: string;
            };
            path: {
                /** @description The id the create call returned. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description `ok: true`, or why the destination refused */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        ok: boolean;
                        /** @description Why the destination refused: `auth-failed`, `terms-not-accepted`. */
                        reason?: string;
                        message?: string;
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or on a connection not open to the caller. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Neither `Content-Type: application/json` nor an `X-Requested-With` header (the CSRF defence). */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The destination failed or could not be reached (problem+json with `reason`). */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listExportHealth: {
        parameters: {
            query?: {
                /** @description Items per page (1-1000, default 100). */
                top?: number;
                /** @description The `continuation` of the previous page. */
                continuation?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of exports with their health */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            exportId: string;
                            name: string;
                            destinationType: string;
                            enabled: boolean;
                            disabledReason?: string;
                            /** @description Segments (audiences) the export sends. */
                            segments: number;
                            /** @description The newest run; null before the first. */
                            lastRun: {
                                id: string;
                                /** @enum {string} */
                                status: "queued" | "running" | "succeeded" | "partially-succeeded" | "failed" | "skipped";
                                trigger: string;
                                reason?: string;
                                startedAt: string;
                                finishedAt?: string;
                            } | null;
                            /** @description Finished runs in a row, newest first, that ended `failed` (a run still active is passed over); at most 20. */
                            failureStreak: number;
                            /** @description The next time the refresh schedule runs it (ISO 8601, UTC); null when it is disabled, does not follow the schedule, or the schedule is off. */
                            nextScheduledRun: string | null;
                            /** @description The export's audiences by the state of their latest reading. */
                            audiences: {
                                processing: number;
                                ready: number;
                                "too-small-to-serve": number;
                                failed: number;
                                "not-reported": number;
                                /** @description Segments with no reading yet. */
                                unread: number;
                                /** @description Audiences whose latest reading disagrees with the ledger. */
                                drift: number;
                            };
                        }[];
                        /** @description Pass as `?continuation=` for the next page; absent on the last page. */
                        continuation?: string;
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin or contributor). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listDestinations: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every destination */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            /** @enum {string} */
                            type: "adroll" | "rollworks" | "microsoft-advertising" | "autopilot" | "google-ads" | "meta" | "ortto" | "linkedin";
                            displayName: string;
                            description: string;
                            /** @description What the caller accepts with `consent: true` for this destination. */
                            privacyStatement: string;
                            /** @description JSON Schema (2020-12). */
                            credentials: {
                                [key: string]: unknown;
                            };
                            /** @description JSON Schema (2020-12). */
                            settings: {
                                [key: string]: unknown;
                            };
                            /** @description The identifiers an export must map, and those it may map besides: together, every identifier the destination takes. */
                            dataMatching: {
                                required: ("email" | "phone" | "firstName" | "lastName" | "postalCode" | "countryCode" | "externalId" | "company")[];
                                optional: ("email" | "phone" | "firstName" | "lastName" | "postalCode" | "countryCode" | "externalId" | "company")[];
                            };
                            /** @description Which combinations of identifiers match, and how each is sent. */
                            identifiers: {
                                /** @description Every identifier the destination takes: what an export may map. */
                                accepted: ("email" | "phone" | "firstName" | "lastName" | "postalCode" | "countryCode" | "externalId" | "company")[];
                                /** @description Each set is enough to match a person: a row is sent when it has every identifier of one set (e.g. `[["email"], ["phone"]]`: email or phone). */
                                matchSets: ("email" | "phone" | "firstName" | "lastName" | "postalCode" | "countryCode" | "externalId" | "company")[][];
                                /** @description How each identifier is sent after normalization: as it is, or as SHA-256 hex. */
                                encoding: {
                                    [key: string]: "plain" | "sha256-hex";
                                };
                            };
                            limits: {
                                minPerSegment?: number;
                                maxPerSegment?: number;
                                maxTotalPerExport?: number;
                                batchSize: number;
                            };
                        }[];
                    };
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin or contributor). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    requestErasure: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The address to erase everywhere it was sent. */
                    email: string;
                };
            };
        };
        responses: {
            /** @description Erasure started */
            202: {
                headers: {
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        addressHash: string;
                        /** @enum {string} */
                        status: "running" | "completed" | "partially-completed";
                        requestedBy: {
                            userId: string;
                            userDetails: string;
                        };
                        requestedAt: string;
                        finishedAt?: string;
                        destinations: {
                            exportId: string;
                            destinationType: string;
                            segment: string;
                            audienceId?: string;
                            /** @enum {string} */
                            outcome: "pending" | "removed" | "not-present" | "not-supported" | "failed";
                            reason?: string;
                        }[];
                        /** @description Rejected-rows report parts rewritten without the person. */
                        reportsScrubbed?: number;
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is over 1 MB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getErasure: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The erasure */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        addressHash: string;
                        /** @enum {string} */
                        status: "running" | "completed" | "partially-completed";
                        requestedBy: {
                            userId: string;
                            userDetails: string;
                        };
                        requestedAt: string;
                        finishedAt?: string;
                        destinations: {
                            exportId: string;
                            destinationType: string;
                            segment: string;
                            audienceId?: string;
                            /** @enum {string} */
                            outcome: "pending" | "removed" | "not-present" | "not-supported" | "failed";
                            reason?: string;
                        }[];
                        /** @description Rejected-rows report parts rewritten without the person. */
                        reportsScrubbed?: number;
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or on a connection not open to the caller. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listExports: {
        parameters: {
            query?: {
                /** @description Items per page (1-1000, default 100). */
                top?: number;
                /** @description The `continuation` of the previous page. */
                continuation?: string;
                /** @description Only the exports of this connection. */
                connectionId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of exports */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            id: string;
                            name: string;
                            connectionId: string;
                            /** @enum {string} */
                            destinationType: "adroll" | "rollworks" | "microsoft-advertising" | "autopilot" | "google-ads" | "meta" | "ortto" | "linkedin";
                            segments: string[];
                            dataMatching: {
                                /** @description Column of the segment file that holds the email address. */
                                email?: string;
                                /** @description Column of the segment file that holds the phone number (international, or national in the export's `defaultCountry`). */
                                phone?: string;
                                /** @description Column of the segment file that holds the first name. */
                                firstName?: string;
                                /** @description Column of the segment file that holds the last name. */
                                lastName?: string;
                                /** @description Column of the segment file that holds the postal code. */
                                postalCode?: string;
                                /** @description Column of the segment file that holds the country (ISO 3166-1 alpha-2). */
                                countryCode?: string;
                                /** @description Column of the segment file that holds your own id of the person. */
                                externalId?: string;
                                /** @description Column of the segment file that holds the name of the company the person works for. */
                                company?: string;
                            };
                            /** @description ISO 3166-1 alpha-2 country code. */
                            defaultCountry?: string;
                            settings: {
                                [key: string]: string;
                            };
                            enabled: boolean;
                            disabledReason?: string;
                            runOnSegmentRefresh: boolean;
                            /** @enum {string} */
                            schedule: "inherit" | "none";
                            truncate: boolean;
                            /**
                             * @default mirror
                             * @enum {string}
                             */
                            syncMode: "mirror" | "add-only";
                            audienceAlerts?: {
                                /** @description Notify when an audience's match rate falls below this share (0 to 1, e.g. 0.5 for 50 %). */
                                matchRateBelow?: number;
                                /** @description Notify when an audience's reported size drops by more than this share between two readings (0 to 1, e.g. 0.2 for 20 %). */
                                shrinksBy?: number;
                            };
                            createdBy: {
                                userId: string;
                                userDetails: string;
                            };
                            createdAt: string;
                            updatedAt: string;
                            etag?: string;
                        }[];
                        /** @description Pass as `?continuation=` for the next page; absent on the last page. */
                        continuation?: string;
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin or contributor). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    createExport: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    connectionId: string;
                    /** @description Segment names; each becomes its own audience. */
                    segments: string[];
                    dataMatching: {
                        /** @description Column of the segment file that holds the email address. */
                        email?: string;
                        /** @description Column of the segment file that holds the phone number (international, or national in the export's `defaultCountry`). */
                        phone?: string;
                        /** @description Column of the segment file that holds the first name. */
                        firstName?: string;
                        /** @description Column of the segment file that holds the last name. */
                        lastName?: string;
                        /** @description Column of the segment file that holds the postal code. */
                        postalCode?: string;
                        /** @description Column of the segment file that holds the country (ISO 3166-1 alpha-2). */
                        countryCode?: string;
                        /** @description Column of the segment file that holds your own id of the person. */
                        externalId?: string;
                        /** @description Column of the segment file that holds the name of the company the person works for. */
                        company?: string;
                    };
                    /** @description The country of phone numbers written without a country code (ISO 3166-1 alpha-2); required when `dataMatching.phone` is set. */
                    defaultCountry?: string;
                    /**
                     * @description Destination settings: `settings` in GET /api/destinations for the connection's type.
                     * @default {}
                     */
                    settings?: {
                        [key: string]: string;
                    };
                    /** @default true */
                    enabled?: boolean;
                    /**
                     * @description Run when a new file of one of the segments lands.
                     * @default true
                     */
                    runOnSegmentRefresh?: boolean;
                    /**
                     * @description `inherit`: run on the system refresh schedule; `none`: only on demand or refresh.
                     * @default inherit
                     * @enum {string}
                     */
                    schedule?: "inherit" | "none";
                    /**
                     * @description Send the first N rows of a segment over the destination limit instead of failing it.
                     * @default false
                     */
                    truncate?: boolean;
                    /**
                     * @description `mirror` (default): each audience follows its segment, members who leave are removed; `add-only`: members are only ever added.
                     * @default mirror
                     * @enum {string}
                     */
                    syncMode?: "mirror" | "add-only";
                    /** @description Tell the export's webhooks (and Azure Monitor) when an audience's match rate falls below a threshold or its size drops by more than a share between readings; once per crossing. `{}` turns them off. */
                    audienceAlerts?: {
                        /** @description Notify when an audience's match rate falls below this share (0 to 1, e.g. 0.5 for 50 %). */
                        matchRateBelow?: number;
                        /** @description Notify when an audience's reported size drops by more than this share between two readings (0 to 1, e.g. 0.2 for 20 %). */
                        shrinksBy?: number;
                    };
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    ETag?: string;
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        name: string;
                        connectionId: string;
                        /** @enum {string} */
                        destinationType: "adroll" | "rollworks" | "microsoft-advertising" | "autopilot" | "google-ads" | "meta" | "ortto" | "linkedin";
                        segments: string[];
                        dataMatching: {
                            /** @description Column of the segment file that holds the email address. */
                            email?: string;
                            /** @description Column of the segment file that holds the phone number (international, or national in the export's `defaultCountry`). */
                            phone?: string;
                            /** @description Column of the segment file that holds the first name. */
                            firstName?: string;
                            /** @description Column of the segment file that holds the last name. */
                            lastName?: string;
                            /** @description Column of the segment file that holds the postal code. */
                            postalCode?: string;
                            /** @description Column of the segment file that holds the country (ISO 3166-1 alpha-2). */
                            countryCode?: string;
                            /** @description Column of the segment file that holds your own id of the person. */
                            externalId?: string;
                            /** @description Column of the segment file that holds the name of the company the person works for. */
                            company?: string;
                        };
                        /** @description ISO 3166-1 alpha-2 country code. */
                        defaultCountry?: string;
                        settings: {
                            [key: string]: string;
                        };
                        enabled: boolean;
                        disabledReason?: string;
                        runOnSegmentRefresh: boolean;
                        /** @enum {string} */
                        schedule: "inherit" | "none";
                        truncate: boolean;
                        /**
                         * @default mirror
                         * @enum {string}
                         */
                        syncMode: "mirror" | "add-only";
                        audienceAlerts?: {
                            /** @description Notify when an audience's match rate falls below this share (0 to 1, e.g. 0.5 for 50 %). */
                            matchRateBelow?: number;
                            /** @description Notify when an audience's reported size drops by more than this share between two readings (0 to 1, e.g. 0.2 for 20 %). */
                            shrinksBy?: number;
                        };
                        createdBy: {
                            userId: string;
                            userDetails: string;
                        };
                        createdAt: string;
                        updatedAt: string;
                        etag?: string;
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin or contributor). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is over 1 MB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getExport: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The id the create call returned. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The export */
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        name: string;
                        connectionId: string;
                        /** @enum {string} */
                        destinationType: "adroll" | "rollworks" | "microsoft-advertising" | "autopilot" | "google-ads" | "meta" | "ortto" | "linkedin";
                        segments: string[];
                        dataMatching: {
                            /** @description Column of the segment file that holds the email address. */
                            email?: string;
                            /** @description Column of the segment file that holds the phone number (international, or national in the export's `defaultCountry`). */
                            phone?: string;
                            /** @description Column of the segment file that holds the first name. */
                            firstName?: string;
                            /** @description Column of the segment file that holds the last name. */
                            lastName?: string;
                            /** @description Column of the segment file that holds the postal code. */
                            postalCode?: string;
                            /** @description Column of the segment file that holds the country (ISO 3166-1 alpha-2). */
                            countryCode?: string;
                            /** @description Column of the segment file that holds your own id of the person. */
                            externalId?: string;
                            /** @description Column of the segment file that holds the name of the company the person works for. */
                            company?: string;
                        };
                        /** @description ISO 3166-1 alpha-2 country code. */
                        defaultCountry?: string;
                        settings: {
                            [key: string]: string;
                        };
                        enabled: boolean;
                        disabledReason?: string;
                        runOnSegmentRefresh: boolean;
                        /** @enum {string} */
                        schedule: "inherit" | "none";
                        truncate: boolean;
                        /**
                         * @default mirror
                         * @enum {string}
                         */
                        syncMode: "mirror" | "add-only";
                        audienceAlerts?: {
                            /** @description Notify when an audience's match rate falls below this share (0 to 1, e.g. 0.5 for 50 %). */
                            matchRateBelow?: number;
                            /** @description Notify when an audience's reported size drops by more than this share between two readings (0 to 1, e.g. 0.2 for 20 %). */
                            shrinksBy?: number;
                        };
                        createdBy: {
                            userId: string;
                            userDetails: string;
                        };
                        createdAt: string;
                        updatedAt: string;
                        etag?: string;
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin or contributor). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or on a connection not open to the caller. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    deleteExport: {
        parameters: {
            query?: never;
            header?: {
                /** @description ETag from a previous read; the change is refused with 412 when it is stale. */
                "If-Match"?: string;
            };
            path: {
                /** @description The id the create call returned. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin or contributor). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or on a connection not open to the caller. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description If-Match names an ETag that is no longer current: read again and retry. */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    patchExport: {
        parameters: {
            query?: never;
            header?: {
                /** @description ETag from a previous read; the change is refused with 412 when it is stale. */
                "If-Match"?: string;
            };
            path: {
                /** @description The id the create call returned. */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name?: string;
                    connectionId?: string;
                    /** @description Segment names; each becomes its own audience. */
                    segments?: string[];
                    dataMatching?: {
                        /** @description Column of the segment file that holds the email address. */
                        email?: string;
                        /** @description Column of the segment file that holds the phone number (international, or national in the export's `defaultCountry`). */
                        phone?: string;
                        /** @description Column of the segment file that holds the first name. */
                        firstName?: string;
                        /** @description Column of the segment file that holds the last name. */
                        lastName?: string;
                        /** @description Column of the segment file that holds the postal code. */
                        postalCode?: string;
                        /** @description Column of the segment file that holds the country (ISO 3166-1 alpha-2). */
                        countryCode?: string;
                        /** @description Column of the segment file that holds your own id of the person. */
                        externalId?: string;
                        /** @description Column of the segment file that holds the name of the company the person works for. */
                        company?: string;
                    };
                    /** @description The country of phone numbers written without a country code (ISO 3166-1 alpha-2); required when `dataMatching.phone` is set. */
                    defaultCountry?: string;
                    /** @description Destination settings: `settings` in GET /api/destinations for the connection's type. */
                    settings?: {
                        [key: string]: string;
                    };
                    enabled?: boolean;
                    /** @description Run when a new file of one of the segments lands. */
                    runOnSegmentRefresh?: boolean;
                    /**
                     * @description `inherit`: run on the system refresh schedule; `none`: only on demand or refresh.
                     * @enum {string}
                     */
                    schedule?: "inherit" | "none";
                    /** @description Send the first N rows of a segment over the destination limit instead of failing it. */
                    truncate?: boolean;
                    /**
                     * @description `mirror` (default): each audience follows its segment, members who leave are removed; `add-only`: members are only ever added.
                     * @enum {string}
                     */
                    syncMode?: "mirror" | "add-only";
                    /** @description Tell the export's webhooks (and Azure Monitor) when an audience's match rate falls below a threshold or its size drops by more than a share between readings; once per crossing. `{}` turns them off. */
                    audienceAlerts?: {
                        /** @description Notify when an audience's match rate falls below this share (0 to 1, e.g. 0.5 for 50 %). */
                        matchRateBelow?: number;
                        /** @description Notify when an audience's reported size drops by more than this share between two readings (0 to 1, e.g. 0.2 for 20 %). */
                        shrinksBy?: number;
                    };
                };
            };
        };
        responses: {
            /** @description The changed export */
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        name: string;
                        connectionId: string;
                        /** @enum {string} */
                        destinationType: "adroll" | "rollworks" | "microsoft-advertising" | "autopilot" | "google-ads" | "meta" | "ortto" | "linkedin";
                        segments: string[];
                        dataMatching: {
                            /** @description Column of the segment file that holds the email address. */
                            email?: string;
                            /** @description Column of the segment file that holds the phone number (international, or national in the export's `defaultCountry`). */
                            phone?: string;
                            /** @description Column of the segment file that holds the first name. */
                            firstName?: string;
                            /** @description Column of the segment file that holds the last name. */
                            lastName?: string;
                            /** @description Column of the segment file that holds the postal code. */
                            postalCode?: string;
                            /** @description Column of the segment file that holds the country (ISO 3166-1 alpha-2). */
                            countryCode?: string;
                            /** @description Column of the segment file that holds your own id of the person. */
                            externalId?: string;
                            /** @description Column of the segment file that holds the name of the company the person works for. */
                            company?: string;
                        };
                        /** @description ISO 3166-1 alpha-2 country code. */
                        defaultCountry?: string;
                        settings: {
                            [key: string]: string;
                        };
                        enabled: boolean;
                        disabledReason?: string;
                        runOnSegmentRefresh: boolean;
                        /** @enum {string} */
                        schedule: "inherit" | "none";
                        truncate: boolean;
                        /**
                         * @default mirror
                         * @enum {string}
                         */
                        syncMode: "mirror" | "add-only";
                        audienceAlerts?: {
                            /** @description Notify when an audience's match rate falls below this share (0 to 1, e.g. 0.5 for 50 %). */
                            matchRateBelow?: number;
                            /** @description Notify when an audience's reported size drops by more than this share between two readings (0 to 1, e.g. 0.2 for 20 %). */
                            shrinksBy?: number;
                        };
                        createdBy: {
                            userId: string;
                            userDetails: string;
                        };
                        createdAt: string;
                        updatedAt: string;
                        etag?: string;
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin or contributor). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or on a connection not open to the caller. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description If-Match names an ETag that is no longer current: read again and retry. */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is over 1 MB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listExportAudiences: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The id the create call returned. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The latest reading per segment */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        exportId: string;
                        audiences: {
                            segment: string;
                            /** @description The newest reading; null before the first (no run yet, or not read yet). */
                            latest: {
                                exportId: string;
                                segment: string;
                                destinationType: string;
                                /** @description The audience at the destination; absent before the first run created it. */
                                audienceId?: string;
                                /** @description When the destination was asked (ISO 8601). */
                                readAt: string;
                                /** @enum {string} */
                                trigger: "after-run" | "timer";
                                /** @description Members the ledger holds (the destination confirmed them); null without a ledger. */
                                tracked: number | null;
                                /**
                                 * @description Removals sent or about to be sent and not yet confirmed: the audience may still hold them.
                                 * @default 0
                                 */
                                owed: number;
                                /** @description What the destination reported; null when it reports nothing or could not be read. */
                                reported: {
                                    /** @description The destination's own size fields under their own names. */
                                    sizes: {
                                        [key: string]: number | null;
                                    };
                                    /** @description The size compared with the ledger; null while the destination withholds it. */
                                    size: number | null;
                                    /**
                                     * @description `members`: every member the audience holds; `matched`: only those the service matched to its users.
                                     * @enum {string}
                                     */
                                    counts: "members" | "matched";
                                    /** @description The service rounds or estimates its sizes. */
                                    estimate: boolean;
                                } | null;
                                /** @enum {string} */
                                state: "processing" | "ready" | "too-small-to-serve" | "failed" | "not-reported";
                                /** @description Why the state is what it is. */
                                detail?: string;
                                /** @description Reported size over tracked, where both are known. */
                                matchRate: number | null;
                                /** @description The match rate is an estimate (the service rounds, or counts matched users only). */
                                matchRateEstimate: boolean;
                                /** @description The reading disagrees with the ledger beyond what the service rounds. */
                                drift?: {
                                    /** @description Reported size minus what the ledger accounts for. */
                                    difference: number;
                                    message: string;
                                    /**
                                     * @description `full-sync`: the next run syncs in full to set it right; `none`: the service allows nothing that would.
                                     * @enum {string}
                                     */
                                    action: "full-sync" | "none";
                                };
                                /** @description The export's audience alerts this reading raised (each crossing once), told to its webhooks. */
                                alerts?: {
                                    /** @enum {string} */
                                    kind: "match-rate-low" | "audience-shrank";
                                    message: string;
                                }[];
                                /** @description The run just before this reading and what it changed at the audience (after-run readings). */
                                lastRun?: {
                                    runId: string;
                                    added: number;
                                    removed: number;
                                };
                            } | null;
                        }[];
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin or contributor). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or on a connection not open to the caller. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listAudienceHistory: {
        parameters: {
            query?: {
                /** @description Items per page (1-1000, default 100). */
                top?: number;
                /** @description The `continuation` of the previous page. */
                continuation?: string;
            };
            header?: never;
            path: {
                /** @description The export id. */
                id: string;
                /** @description A segment the export sends. */
                segment: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of readings */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            exportId: string;
                            segment: string;
                            destinationType: string;
                            /** @description The audience at the destination; absent before the first run created it. */
                            audienceId?: string;
                            /** @description When the destination was asked (ISO 8601). */
                            readAt: string;
                            /** @enum {string} */
                            trigger: "after-run" | "timer";
                            /** @description Members the ledger holds (the destination confirmed them); null without a ledger. */
                            tracked: number | null;
                            /**
                             * @description Removals sent or about to be sent and not yet confirmed: the audience may still hold them.
                             * @default 0
                             */
                            owed: number;
                            /** @description What the destination reported; null when it reports nothing or could not be read. */
                            reported: {
                                /** @description The destination's own size fields under their own names. */
                                sizes: {
                                    [key: string]: number | null;
                                };
                                /** @description The size compared with the ledger; null while the destination withholds it. */
                                size: number | null;
                                /**
                                 * @description `members`: every member the audience holds; `matched`: only those the service matched to its users.
                                 * @enum {string}
                                 */
                                counts: "members" | "matched";
                                /** @description The service rounds or estimates its sizes. */
                                estimate: boolean;
                            } | null;
                            /** @enum {string} */
                            state: "processing" | "ready" | "too-small-to-serve" | "failed" | "not-reported";
                            /** @description Why the state is what it is. */
                            detail?: string;
                            /** @description Reported size over tracked, where both are known. */
                            matchRate: number | null;
                            /** @description The match rate is an estimate (the service rounds, or counts matched users only). */
                            matchRateEstimate: boolean;
                            /** @description The reading disagrees with the ledger beyond what the service rounds. */
                            drift?: {
                                /** @description Reported size minus what the ledger accounts for. */
                                difference: number;
                                message: string;
                                /**
                                 * @description `full-sync`: the next run syncs in full to set it right; `none`: the service allows nothing that would.
                                 * @enum {string}
                                 */
                                action: "full-sync" | "none";
                            };
                            /** @description The export's audience alerts this reading raised (each crossing once), told to its webhooks. */
                            alerts?: {
                                /** @enum {string} */
                                kind: "match-rate-low" | "audience-shrank";
                                message: string;
                            }[];
                            /** @description The run just before this reading and what it changed at the audience (after-run readings). */
                            lastRun?: {
                                runId: string;
                                added: number;
                                removed: number;
                            };
                        }[];
                        /** @description Pass as `?continuation=` for the next page; absent on the last page. */
                        continuation?: string;
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin or contributor). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or on a connection not open to the caller. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    previewExport: {
        parameters: {
            query?: never;
            header?: {
                /** @description Any value; or send `Content-Type: application/json`. Either is required (CSRF defence). */
                "X-Requested-With"?: string;
            };
            path: {
                /** @description The id the create call returned. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /**
                     * @description Sync in full: send the whole membership and drop members the app did not send (e.g. added at the destination by hand).
                     * @default false
                     */
                    full?: boolean;
                };
            };
        };
        responses: {
            /** @description The plan, per segment */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        exportId: string;
                        segments: {
                            segment: string;
                            file?: string;
                            /** @description `send`, or why a run would skip or fail the segment (e.g. `segment-too-small: ...`). */
                            outcome: string;
                            read: number;
                            valid: number;
                            invalid: number;
                            duplicate: number;
                            /** @description Rows of people on the suppression list: never sent (read = valid + invalid + duplicate + suppressed). */
                            suppressed: number;
                            overLimit: number;
                            /** @description The run would sync in full (no ledger yet, or asked for). */
                            full: boolean;
                            adds: number;
                            removes: number;
                            unchanged: number;
                            /** @description Leavers a run would leave in the audience (add-only, or the service cannot remove). */
                            notRemoved: number;
                            /** @description The first records to add, as the destination would receive them. */
                            sample: unknown[];
                        }[];
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin or contributor). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or on a connection not open to the caller. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is over 1 MB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Neither `Content-Type: application/json` nor an `X-Requested-With` header (the CSRF defence). */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    runExport: {
        parameters: {
            query?: never;
            header?: {
                /** @description Any value; or send `Content-Type: application/json`. Either is required (CSRF defence). */
                "X-Requested-With"?: string;
            };
            path: {
                /** @description The id the create call returned. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /**
                     * @description Sync in full: send the whole membership and drop members the app did not send (e.g. added at the destination by hand).
                     * @default false
                     */
                    full?: boolean;
                };
            };
        };
        responses: {
            /** @description Run started */
            202: {
                headers: {
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        run: {
                            id: string;
                            exportId: string;
                            destinationType: string;
                            /** @enum {string} */
                            trigger: "schedule" | "on-demand" | "segment-refresh";
                            full?: boolean;
                            /** @description Audiences the destination reported out of step with the ledger before this run (audience insights). */
                            audienceDrift?: {
                                segment: string;
                                message: string;
                                /** @description Reported size minus what the ledger accounts for. */
                                difference: number;
                                /**
                                 * @description `full-sync`: this run synced in full because of it; `none`: the service allows nothing that would set it right.
                                 * @enum {string}
                                 */
                                action: "full-sync" | "none";
                                /** @description When the destination reported it. */
                                readAt: string;
                            }[];
                            /** @enum {string} */
                            status: "queued" | "running" | "succeeded" | "partially-succeeded" | "failed" | "skipped";
                            reason?: string;
                            segments: {
                                segment: string;
                                file?: string;
                                read: number;
                                valid: number;
                                invalid: number;
                                duplicate: number;
                                /** @default 0 */
                                suppressed: number;
                                skipped: number;
                                /** @default 0 */
                                unchanged: number;
                                sent: number;
                                accepted: number;
                                rejected: number;
                                sync?: {
                                    /** @description The run synced in full (first run, new audience, lost ledger, or requested). */
                                    full: boolean;
                                    /** @description Leavers (and strangers, in a full sync) the run tried to remove. */
                                    toRemove: number;
                                    /** @description Ids that left the ledger: confirmed removals, or dropped by a confirmed replace. */
                                    removed: number;
                                    /** @description Removals that did not go through; the next run sends them again. */
                                    removeFailed: number;
                                    /** @description Leavers left in the audience: add-only export, or the service cannot remove. */
                                    notRemoved: number;
                                    /** @enum {string} */
                                    notRemovedReason?: "add-only" | "removal-unsupported";
                                    /** @description Ids that joined the ledger: members the destination confirmed. */
                                    added: number;
                                    ledgerBefore: number;
                                    ledgerAfter: number;
                                };
                                audienceId?: string;
                                /** @description Requests the destination accepted and processes later, and their outcome as checked after the run. */
                                requests?: {
                                    total: number;
                                    processing: number;
                                    succeeded: number;
                                    partiallySucceeded: number;
                                    /** @description Failed, or no final status within 72 hours: their members are sent again by the next run. */
                                    failed: number;
                                    /** @description Members taken back out of the ledger (failed adds) or owed a removal again (failed removes). */
                                    returned: number;
                                    /** @description Finished requests by the match-rate range the destination reported (`MATCH_RATE_RANGE_51_TO_60`). */
                                    matchRateRanges: {
                                        [key: string]: number;
                                    };
                                    /** @description Each request, oldest first (the first 500). */
                                    items: {
                                        requestId: string;
                                        /** @enum {string} */
                                        operation: "add" | "remove" | "remove-all";
                                        members: number;
                                        /** @enum {string} */
                                        state: "processing" | "succeeded" | "partially-succeeded" | "failed" | "unknown";
                                        /** @description The destination's own name for the state (`PARTIAL_SUCCESS`). */
                                        serviceState?: string;
                                        matchRateRange?: string;
                                    }[];
                                    /** @description When the destination was last asked (ISO 8601). */
                                    checkedAt: string;
                                };
                                /** @enum {string} */
                                status: "pending" | "running" | "succeeded" | "partially-succeeded" | "failed" | "skipped";
                                reason?: string;
                            }[];
                            progress?: {
                                stage: string;
                                workFilesDone: number;
                                workFilesTotal: number;
                            };
                            rejectedReport?: string;
                            startedAt: string;
                            finishedAt?: string;
                            durationMs?: number;
                        };
                        /** @description GET it to follow the run. */
                        statusUrl: string;
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin or contributor). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or on a connection not open to the caller. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description A run is active (problem+json with `activeRunId` and `statusUrl`), or the export is disabled (`errors` names `enabled`). */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is over 1 MB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Neither `Content-Type: application/json` nor an `X-Requested-With` header (the CSRF defence). */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listExportRuns: {
        parameters: {
            query?: {
                /** @description Items per page (1-1000, default 100). */
                top?: number;
                /** @description The `continuation` of the previous page. */
                continuation?: string;
            };
            header?: never;
            path: {
                /** @description The id the create call returned. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of runs */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            id: string;
                            exportId: string;
                            destinationType: string;
                            /** @enum {string} */
                            trigger: "schedule" | "on-demand" | "segment-refresh";
                            full?: boolean;
                            /** @description Audiences the destination reported out of step with the ledger before this run (audience insights). */
                            audienceDrift?: {
                                segment: string;
                                message: string;
                                /** @description Reported size minus what the ledger accounts for. */
                                difference: number;
                                /**
                                 * @description `full-sync`: this run synced in full because of it; `none`: the service allows nothing that would set it right.
                                 * @enum {string}
                                 */
                                action: "full-sync" | "none";
                                /** @description When the destination reported it. */
                                readAt: string;
                            }[];
                            /** @enum {string} */
                            status: "queued" | "running" | "succeeded" | "partially-succeeded" | "failed" | "skipped";
                            reason?: string;
                            segments: {
                                segment: string;
                                file?: string;
                                read: number;
                                valid: number;
                                invalid: number;
                                duplicate: number;
                                /** @default 0 */
                                suppressed: number;
                                skipped: number;
                                /** @default 0 */
                                unchanged: number;
                                sent: number;
                                accepted: number;
                                rejected: number;
                                sync?: {
                                    /** @description The run synced in full (first run, new audience, lost ledger, or requested). */
                                    full: boolean;
                                    /** @description Leavers (and strangers, in a full sync) the run tried to remove. */
                                    toRemove: number;
                                    /** @description Ids that left the ledger: confirmed removals, or dropped by a confirmed replace. */
                                    removed: number;
                                    /** @description Removals that did not go through; the next run sends them again. */
                                    removeFailed: number;
                                    /** @description Leavers left in the audience: add-only export, or the service cannot remove. */
                                    notRemoved: number;
                                    /** @enum {string} */
                                    notRemovedReason?: "add-only" | "removal-unsupported";
                                    /** @description Ids that joined the ledger: members the destination confirmed. */
                                    added: number;
                                    ledgerBefore: number;
                                    ledgerAfter: number;
                                };
                                audienceId?: string;
                                /** @description Requests the destination accepted and processes later, and their outcome as checked after the run. */
                                requests?: {
                                    total: number;
                                    processing: number;
                                    succeeded: number;
                                    partiallySucceeded: number;
                                    /** @description Failed, or no final status within 72 hours: their members are sent again by the next run. */
                                    failed: number;
                                    /** @description Members taken back out of the ledger (failed adds) or owed a removal again (failed removes). */
                                    returned: number;
                                    /** @description Finished requests by the match-rate range the destination reported (`MATCH_RATE_RANGE_51_TO_60`). */
                                    matchRateRanges: {
                                        [key: string]: number;
                                    };
                                    /** @description Each request, oldest first (the first 500). */
                                    items: {
                                        requestId: string;
                                        /** @enum {string} */
                                        operation: "add" | "remove" | "remove-all";
                                        members: number;
                                        /** @enum {string} */
                                        state: "processing" | "succeeded" | "partially-succeeded" | "failed" | "unknown";
                                        /** @description The destination's own name for the state (`PARTIAL_SUCCESS`). */
                                        serviceState?: string;
                                        matchRateRange?: string;
                                    }[];
                                    /** @description When the destination was last asked (ISO 8601). */
                                    checkedAt: string;
                                };
                                /** @enum {string} */
                                status: "pending" | "running" | "succeeded" | "partially-succeeded" | "failed" | "skipped";
                                reason?: string;
                            }[];
                            progress?: {
                                stage: string;
                                workFilesDone: number;
                                workFilesTotal: number;
                            };
                            rejectedReport?: string;
                            startedAt: string;
                            finishedAt?: string;
                            durationMs?: number;
                        }[];
                        /** @description Pass as `?continuation=` for the next page; absent on the last page. */
                        continuation?: string;
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin or contributor). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or on a connection not open to the caller. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listWebhooks: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The id the create call returned. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The webhooks */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            id: string;
                            exportId: string;
                            name: string;
                            /** @enum {string} */
                            format: "teams" | "slack" | "json";
                            outcomes: ("failed" | "partially-succeeded" | "succeeded")[];
                            /** @description The URL is write-only: only that it is set, and when. */
                            url: {
                                /** @constant */
                                set: true;
                                updatedAt: string;
                            };
                            signingKey: {
                                set: boolean;
                            };
                            createdBy: {
                                userId: string;
                                userDetails: string;
                            };
                            createdAt: string;
                        }[];
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin or contributor). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or on a connection not open to the caller. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    createWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The id the create call returned. */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description What the webhook is, for people (e.g. `#data-alerts`). */
                    name: string;
                    /**
                     * @description `teams` (Adaptive Card for a Teams workflow), `slack` (incoming webhook), `json` (signed JSON).
                     * @enum {string}
                     */
                    format: "teams" | "slack" | "json";
                    /** @description The run outcomes to notify. */
                    outcomes: ("failed" | "partially-succeeded" | "succeeded")[];
                    /**
                     * Format: uri
                     * @description Write-only: the webhook URL (it embeds the receiver's credential). Teams: the workflow's "When a Teams webhook request is received" URL; Slack: the incoming webhook URL.
                     */
                    url: string;
                    /** @description Write-only, `json` only (and required there): the HMAC-SHA256 key that signs each message (`X-Segment-Export-Signature`). */
                    signingKey?: string;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        exportId: string;
                        name: string;
                        /** @enum {string} */
                        format: "teams" | "slack" | "json";
                        outcomes: ("failed" | "partially-succeeded" | "succeeded")[];
                        /** @description The URL is write-only: only that it is set, and when. */
                        url: {
                            /** @constant */
                            set: true;
                            updatedAt: string;
                        };
                        signingKey: {
                            set: boolean;
                        };
                        createdBy: {
                            userId: string;
                            userDetails: string;
                        };
                        createdAt: string;
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin or contributor). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or on a connection not open to the caller. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is over 1 MB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    deleteWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The export id. */
                id: string;
                /** @description The webhook id. */
                webhookId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin or contributor). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or on a connection not open to the caller. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    patchWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The export id. */
                id: string;
                /** @description The webhook id. */
                webhookId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name?: string;
                    outcomes?: ("failed" | "partially-succeeded" | "succeeded")[];
                    /**
                     * Format: uri
                     * @description Write-only: replaces the stored URL (the signing key stays unless given too).
                     */
                    url?: string;
                    /** @description Write-only, `json` only: replaces the signing key. */
                    signingKey?: string;
                };
            };
        };
        responses: {
            /** @description The changed webhook */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        exportId: string;
                        name: string;
                        /** @enum {string} */
                        format: "teams" | "slack" | "json";
                        outcomes: ("failed" | "partially-succeeded" | "succeeded")[];
                        /** @description The URL is write-only: only that it is set, and when. */
                        url: {
                            /** @constant */
                            set: true;
                            updatedAt: string;
                        };
                        signingKey: {
                            set: boolean;
                        };
                        createdBy: {
                            userId: string;
                            userDetails: string;
                        };
                        createdAt: string;
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin or contributor). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or on a connection not open to the caller. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is over 1 MB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    testWebhook: {
        parameters: {
            query?: never;
            header?: {
                /** @description Any value; or send `Content-Type: application/json`. Either is required (CSRF defence). */
                "X-Requested-With"?: string;
            };
            path: {
                /** @description The export id. */
                id: string;
                /** @description The webhook id. */
                webhookId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description How the delivery went */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        delivered: boolean;
                        attempts: number;
                        /** @description The receiver's last HTTP status. */
                        status?: number;
                        error?: string;
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin or contributor). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or on a connection not open to the caller. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Neither `Content-Type: application/json` nor an `X-Requested-With` header (the CSRF defence). */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getMe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The caller */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        userId: string;
                        userDetails: string;
                        roles: ("admin" | "contributor")[];
                    };
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin or contributor). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    openApiDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The OpenAPI document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getRun: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The id the create call returned. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The run */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        exportId: string;
                        destinationType: string;
                        /** @enum {string} */
                        trigger: "schedule" | "on-demand" | "segment-refresh";
                        full?: boolean;
                        /** @description Audiences the destination reported out of step with the ledger before this run (audience insights). */
                        audienceDrift?: {
                            segment: string;
                            message: string;
                            /** @description Reported size minus what the ledger accounts for. */
                            difference: number;
                            /**
                             * @description `full-sync`: this run synced in full because of it; `none`: the service allows nothing that would set it right.
                             * @enum {string}
                             */
                            action: "full-sync" | "none";
                            /** @description When the destination reported it. */
                            readAt: string;
                        }[];
                        /** @enum {string} */
                        status: "queued" | "running" | "succeeded" | "partially-succeeded" | "failed" | "skipped";
                        reason?: string;
                        segments: {
                            segment: string;
                            file?: string;
                            read: number;
                            valid: number;
                            invalid: number;
                            duplicate: number;
                            /** @default 0 */
                            suppressed: number;
                            skipped: number;
                            /** @default 0 */
                            unchanged: number;
                            sent: number;
                            accepted: number;
                            rejected: number;
                            sync?: {
                                /** @description The run synced in full (first run, new audience, lost ledger, or requested). */
                                full: boolean;
                                /** @description Leavers (and strangers, in a full sync) the run tried to remove. */
                                toRemove: number;
                                /** @description Ids that left the ledger: confirmed removals, or dropped by a confirmed replace. */
                                removed: number;
                                /** @description Removals that did not go through; the next run sends them again. */
                                removeFailed: number;
                                /** @description Leavers left in the audience: add-only export, or the service cannot remove. */
                                notRemoved: number;
                                /** @enum {string} */
                                notRemovedReason?: "add-only" | "removal-unsupported";
                                /** @description Ids that joined the ledger: members the destination confirmed. */
                                added: number;
                                ledgerBefore: number;
                                ledgerAfter: number;
                            };
                            audienceId?: string;
                            /** @description Requests the destination accepted and processes later, and their outcome as checked after the run. */
                            requests?: {
                                total: number;
                                processing: number;
                                succeeded: number;
                                partiallySucceeded: number;
                                /** @description Failed, or no final status within 72 hours: their members are sent again by the next run. */
                                failed: number;
                                /** @description Members taken back out of the ledger (failed adds) or owed a removal again (failed removes). */
                                returned: number;
                                /** @description Finished requests by the match-rate range the destination reported (`MATCH_RATE_RANGE_51_TO_60`). */
                                matchRateRanges: {
                                    [key: string]: number;
                                };
                                /** @description Each request, oldest first (the first 500). */
                                items: {
                                    requestId: string;
                                    /** @enum {string} */
                                    operation: "add" | "remove" | "remove-all";
                                    members: number;
                                    /** @enum {string} */
                                    state: "processing" | "succeeded" | "partially-succeeded" | "failed" | "unknown";
                                    /** @description The destination's own name for the state (`PARTIAL_SUCCESS`). */
                                    serviceState?: string;
                                    matchRateRange?: string;
                                }[];
                                /** @description When the destination was last asked (ISO 8601). */
                                checkedAt: string;
                            };
                            /** @enum {string} */
                            status: "pending" | "running" | "succeeded" | "partially-succeeded" | "failed" | "skipped";
                            reason?: string;
                        }[];
                        progress?: {
                            stage: string;
                            workFilesDone: number;
                            workFilesTotal: number;
                        };
                        rejectedReport?: string;
                        startedAt: string;
                        finishedAt?: string;
                        durationMs?: number;
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin or contributor). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or on a connection not open to the caller. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getRunRejectedRows: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The id the create call returned. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every row not delivered, with its reason */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/csv": string;
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin or contributor). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or on a connection not open to the caller. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    getSchedule: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The effective schedule */
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        cron: string;
                        enabled: boolean;
                        updatedBy?: {
                            userId: string;
                            userDetails: string;
                        };
                        updatedAt?: string;
                        etag?: string;
                        /**
                         * @description `setting`: REFRESH_SCHEDULE, nobody has saved one yet.
                         * @enum {string}
                         */
                        source: "api" | "setting";
                        /** @description The next five fire times (ISO 8601, UTC); empty when the schedule is disabled. */
                        nextRuns: string[];
                    };
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    putSchedule: {
        parameters: {
            query?: never;
            header?: {
                /** @description ETag from a previous read; the change is refused with 412 when it is stale. */
                "If-Match"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description NCRONTAB, six fields, seconds first, UTC: `0 0 *\/6 * * *` is every six hours. */
                    cron: string;
                    /** @default true */
                    enabled?: boolean;
                };
            };
        };
        responses: {
            /** @description The saved schedule */
            200: {
                headers: {
                    ETag?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        cron: string;
                        enabled: boolean;
                        updatedBy?: {
                            userId: string;
                            userDetails: string;
                        };
                        updatedAt?: string;
                        etag?: string;
                        /**
                         * @description `setting`: REFRESH_SCHEDULE, nobody has saved one yet.
                         * @enum {string}
                         */
                        source: "api" | "setting";
                        /** @description The next five fire times (ISO 8601, UTC); empty when the schedule is disabled. */
                        nextRuns: string[];
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description If-Match names an ETag that is no longer current: read again and retry. */
            412: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is over 1 MB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listSegments: {
        parameters: {
            query?: {
                /** @description Items per page (1-1000, default 100). */
                top?: number;
                /** @description The `continuation` of the previous page. */
                continuation?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of segments */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            name: string;
                            latestFile: string;
                            /** @enum {string} */
                            format: "csv" | "jsonl";
                            gzip: boolean;
                            columns: string[];
                            columnsTruncated?: boolean;
                            rowCount?: number;
                            sizeBytes?: number;
                            refreshedAt: string;
                        }[];
                        /** @description Pass as `?continuation=` for the next page; absent on the last page. */
                        continuation?: string;
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin or contributor). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    listSuppressions: {
        parameters: {
            query?: {
                /** @description Items per page (1-1000, default 100). */
                top?: number;
                /** @description The `continuation` of the previous page. */
                continuation?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of suppressions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            /** @description SHA-256 hex of the normalized address. */
                            id: string;
                            addedBy: {
                                userId: string;
                                userDetails: string;
                            };
                            addedAt: string;
                            /** @description `api`, `file:<blob>` or `erasure`. */
                            source: string;
                        }[];
                        /** @description Pass as `?continuation=` for the next page; absent on the last page. */
                        continuation?: string;
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    addSuppressions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Addresses to suppress (at most 10,000 a call), normalized as runs normalize them; only their SHA-256 is kept. */
                    emails: string[];
                };
            };
        };
        responses: {
            /** @description What was added */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        added: number;
                        alreadySuppressed: number;
                        /** @description The hashes, in the order of `emails`. */
                        ids: string[];
                    };
                };
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is over 1 MB. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The body is not `application/json`. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
    deleteSuppression: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Invalid request: `errors` names each field at fault. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description No principal (x-ms-client-principal missing, malformed or with fields over 256 characters). */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description The caller lacks the role (admin). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Not found, or on a connection not open to the caller. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Unexpected failure (logged; the body reveals nothing). */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            /** @description Storage is down, throttling, or slower than the request deadline: send the same request again after `Retry-After` seconds. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
}
