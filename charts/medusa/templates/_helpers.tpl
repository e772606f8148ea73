{{/* Names */}}

{{- define "medusa.fullname" -}}
{{- .Release.Name | trunc 42 | trimSuffix "-" -}}
{{- end -}}

{{/* `include "medusa.componentName" (dict "root" $ "component" "app")` = <fullname>-app */}}
{{- define "medusa.componentName" -}}
{{- printf "%s-%s" (include "medusa.fullname" .root) .component -}}
{{- end -}}

{{- define "medusa.databaseHost" -}}
{{- include "medusa.componentName" (dict "root" . "component" "database") -}}
{{- end -}}

{{- define "medusa.redisHost" -}}
{{- include "medusa.componentName" (dict "root" . "component" "redis") -}}
{{- end -}}

{{/* Labels */}}

{{- define "medusa.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "medusa.storeLabels" -}}
storefleet.io/store-id: {{ .Values.store.id | quote }}
{{- with .Values.store.owner }}
storefleet.io/owner: {{ . | quote }}
{{- end }}
storefleet.io/engine: medusa
{{- end -}}

{{- define "medusa.labels" -}}
{{ include "medusa.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: storefleet
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{ include "medusa.storeLabels" . }}
{{- end -}}

{{/* Labels of one component's objects: `include "medusa.componentLabels" (dict "root" $ "component" "app")` */}}
{{- define "medusa.componentLabels" -}}
{{ include "medusa.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "medusa.componentSelector" -}}
{{ include "medusa.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Pod template labels carry no versions, so that an unchanged pod spec stays unchanged across chart versions. */}}
{{- define "medusa.podLabels" -}}
{{ include "medusa.componentSelector" . }}
{{ include "medusa.storeLabels" .root }}
{{- end -}}

{{/* Store settings */}}

{{- define "medusa.host" -}}
{{- if .Values.ingress.host -}}
{{- .Values.ingress.host -}}
{{- else -}}
{{- printf "%s.%s" (.Values.store.slug | default .Release.Name) .Values.ingress.baseDomain -}}
{{- end -}}
{{- end -}}

{{/* Every host of the store: its own, then the merchant's domains. `include "medusa.hosts" . | fromJsonArray` */}}
{{- define "medusa.hosts" -}}
{{- toJson (concat (list (include "medusa.host" .)) .Values.ingress.domains) -}}
{{- end -}}

{{- define "medusa.primaryHost" -}}
{{- .Values.ingress.primaryHost | default (include "medusa.host" .) -}}
{{- end -}}

{{- define "medusa.scheme" -}}
{{- ternary "https" "http" .Values.ingress.tls.enabled -}}
{{- end -}}

{{- define "medusa.url" -}}
{{- printf "%s://%s" (include "medusa.scheme" .) (include "medusa.primaryHost" .) -}}
{{- end -}}

{{/*
Medusa's store, admin and auth CORS: the primary host's origin, then the default host's. Only these: the
admin and the storefront are served from the store's own hosts (same origin), and adding a domain that
is not primary must not restart the server.
*/}}
{{- define "medusa.origins" -}}
{{- $scheme := include "medusa.scheme" . -}}
{{- $origins := list (include "medusa.primaryHost" .) (include "medusa.host" .) | uniq -}}
{{- $urls := list -}}
{{- range $origins }}{{ $urls = append $urls (printf "%s://%s" $scheme .) }}{{ end -}}
{{- join "," $urls -}}
{{- end -}}

{{- define "medusa.title" -}}
{{- .Values.store.name | default ((.Values.store.slug | default .Release.Name) | replace "-" " " | title) -}}
{{- end -}}

{{/* The Traefik Middleware redirecting the store's hosts from http to https. */}}
{{- define "medusa.httpsRedirectName" -}}
{{- printf "%s-https-redirect" (include "medusa.fullname" .) -}}
{{- end -}}

{{- define "medusa.tlsSecretName" -}}
{{- .Values.ingress.tls.secretName | default (printf "%s-tls" (include "medusa.fullname" .)) -}}
{{- end -}}

{{/* Checks the schema cannot express; included by every workload template. */}}
{{- define "medusa.validate" -}}
{{- if and .Values.worker.enabled (not .Values.redis.enabled) -}}
{{- fail "worker.enabled needs redis.enabled=true: the server and the worker are two processes, and Medusa's event bus, locks and workflow state reach across processes only through Redis (without it events emitted by the server never reach the worker)" -}}
{{- end -}}
{{- if and (gt (int .Values.medusa.replicas) 1) (not .Values.redis.enabled) -}}
{{- fail (printf "medusa.replicas=%d needs redis.enabled=true: without Redis each server keeps events, cache and locks in its own memory, so replicas would not see each other's events or locks" (int .Values.medusa.replicas)) -}}
{{- end -}}
{{- $tls := .Values.ingress.tls -}}
{{- if and $tls.enabled (not $tls.clusterIssuer) (not $tls.secretName) (not $tls.certResolver) (not $tls.controllerManaged) -}}
{{- fail "ingress.tls.enabled needs ingress.tls.secretName (an existing TLS Secret), ingress.tls.clusterIssuer (cert-manager fills the Secrets), ingress.tls.certResolver (Traefik's ACME resolver) or ingress.tls.controllerManaged (the ingress controller's entry point obtains the certificates)" -}}
{{- end -}}
{{- if and .Values.ingress.domains $tls.enabled $tls.secretName (not $tls.clusterIssuer) (not $tls.certResolver) (not $tls.controllerManaged) -}}
{{- fail "ingress.domains with TLS need a certificate per domain: set ingress.tls.clusterIssuer, ingress.tls.certResolver or ingress.tls.controllerManaged (ingress.tls.secretName covers only the default host)" -}}
{{- end -}}
{{- if and .Values.smtp.enabled (not .Values.smtp.host) -}}
{{- fail "smtp.enabled needs smtp.host: the SMTP server the store sends its e-mail through" -}}
{{- end -}}
{{- with .Values.ingress.primaryHost -}}
{{- if not (has . (include "medusa.hosts" $ | fromJsonArray)) -}}
{{- fail (printf "ingress.primaryHost %s is neither the default host nor one of ingress.domains" .) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Pod-level security context of the Medusa image's pods (server, worker, setup, storefront): its medusa user. */}}
{{- define "medusa.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Every container: read-only root filesystem; what it writes goes to its volumes (emptyDirs with a size limit). */}}
{{- define "medusa.containerSecurityContext" -}}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{/* What every pod of the store shares: no API token, no service links, pull secrets, placement. */}}
{{- define "medusa.podCommon" -}}
automountServiceAccountToken: false
enableServiceLinks: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector: {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations: {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Replicas of one component prefer different nodes: `include "medusa.spreadOverNodes" (dict "root" $ "component" "app")` */}}
{{- define "medusa.spreadOverNodes" -}}
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels: {{- include "medusa.componentSelector" . | nindent 12 }}
{{- end -}}

{{/*
The environment of `serve` and `setup`. DATABASE_URL is built by the kubelet from DATABASE_PASSWORD
(declared before it); the password is URL-safe, so it needs no escaping. `sslmode=disable`: the
store's own PostgreSQL speaks plain TCP inside the namespace, and Medusa asks for TLS from any host
but localhost unless the URL says otherwise (its migrations then stall until they time out).
*/}}
{{- define "medusa.env" -}}
{{- $origins := include "medusa.origins" .root -}}
- name: DATABASE_PASSWORD
  valueFrom: { secretKeyRef: { name: {{ .root.Values.existingSecret }}, key: database-password } }
- name: DATABASE_URL
  value: {{ printf "postgres://medusa:$(DATABASE_PASSWORD)@%s:5432/medusa?sslmode=disable" (include "medusa.databaseHost" .root) | quote }}
- name: JWT_SECRET
  valueFrom: { secretKeyRef: { name: {{ .root.Values.existingSecret }}, key: jwt-secret } }
- name: COOKIE_SECRET
  valueFrom: { secretKeyRef: { name: {{ .root.Values.existingSecret }}, key: cookie-secret } }
- { name: STORE_CORS, value: {{ $origins | quote }} }
- { name: ADMIN_CORS, value: {{ $origins | quote }} }
- { name: AUTH_CORS, value: {{ $origins | quote }} }
- { name: PORT, value: "9000" }
- { name: NODE_ENV, value: production }
- { name: MEDUSA_DISABLE_TELEMETRY, value: "true" }
- { name: MEDUSA_WORKER_MODE, value: {{ .workerMode }} }
{{- if .root.Values.redis.enabled }}
- { name: REDIS_URL, value: {{ printf "redis://%s:6379" (include "medusa.redisHost" .root) | quote }} }
{{- end }}
{{- if and .mail .root.Values.smtp.enabled }}
{{- include "medusa.smtpEnv" .root }}
{{- end }}
{{- end -}}

{{/* The SMTP server of the server, the worker and the setup (the notification provider of images/medusa reads it). */}}
{{- define "medusa.smtpEnv" -}}
{{- with .Values.smtp }}
- { name: SMTP_HOST, value: {{ .host | quote }} }
- { name: SMTP_PORT, value: {{ .port | quote }} }
- { name: SMTP_ENCRYPTION, value: {{ .encryption | quote }} }
- { name: SMTP_USER, value: {{ .user | quote }} }
- { name: MAIL_FROM, value: {{ .from | default (printf "orders@%s" (include "medusa.primaryHost" $)) | quote }} }
{{- if and .user .existingSecret }}
- name: SMTP_PASSWORD
  valueFrom: { secretKeyRef: { name: {{ .existingSecret }}, key: {{ .existingSecretPasswordKey }} } }
{{- end }}
{{- end }}
{{- end -}}

{{/* Images */}}

{{/* `include "medusa.image" .Values.medusa.image`: registry/repository:tag, or @digest when one is set. */}}
{{- define "medusa.image" -}}
{{- $repository := ternary (printf "%s/%s" .registry .repository) .repository (ne .registry "") -}}
{{- if .digest -}}
{{- printf "%s@%s" $repository .digest -}}
{{- else -}}
{{- printf "%s:%s" $repository .tag -}}
{{- end -}}
{{- end -}}
