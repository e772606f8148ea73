{{/* Names */}}

{{- define "store.fullname" -}}
{{- .Release.Name | trunc 53 | trimSuffix "-" -}}
{{- end -}}

{{- define "store.componentName" -}}
{{- printf "%s-%s" (include "store.fullname" .root) .component -}}
{{- end -}}

{{/* Labels */}}

{{- define "store.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "store.storeLabels" -}}
storefleet.io/store-id: {{ .Values.store.id | quote }}
{{- with .Values.store.owner }}
storefleet.io/owner: {{ . | quote }}
{{- end }}
storefleet.io/engine: {{ .Values.engine }}
{{- end -}}

{{- define "store.labels" -}}
{{ include "store.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: storefleet
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{ include "store.storeLabels" . }}
{{- end -}}

{{/* Labels of one component's objects: `include "store.componentLabels" (dict "root" $ "component" "app")` */}}
{{- define "store.componentLabels" -}}
{{ include "store.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "store.componentSelector" -}}
{{ include "store.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Pod template labels carry no versions, so that an unchanged pod spec stays unchanged across chart versions. */}}
{{- define "store.podLabels" -}}
{{ include "store.componentSelector" . }}
{{ include "store.storeLabels" .root }}
{{- end -}}

{{/* Store settings */}}

{{- define "store.host" -}}
{{- if .Values.ingress.host -}}
{{- .Values.ingress.host -}}
{{- else -}}
{{- printf "%s.%s" (.Values.store.slug | default .Release.Name) .Values.ingress.baseDomain -}}
{{- end -}}
{{- end -}}

{{/* Every host of the store: its own, then the merchant's domains. `include "store.hosts" . | fromJsonArray` */}}
{{- define "store.hosts" -}}
{{- toJson (concat (list (include "store.host" .)) .Values.ingress.domains) -}}
{{- end -}}

{{- define "store.primaryHost" -}}
{{- .Values.ingress.primaryHost | default (include "store.host" .) -}}
{{- end -}}

{{/* The store's URL (WordPress' siteurl and home): the primary host's. */}}
{{- define "store.url" -}}
{{- printf "%s://%s" (ternary "https" "http" .Values.ingress.tls.enabled) (include "store.primaryHost" .) -}}
{{- end -}}

{{- define "store.title" -}}
{{- .Values.store.name | default ((.Values.store.slug | default .Release.Name) | replace "-" " " | title) -}}
{{- end -}}

{{- define "store.databaseHost" -}}
{{- include "store.componentName" (dict "root" . "component" "db") -}}
{{- end -}}

{{/* The Traefik Middleware redirecting the store's hosts from http to https. */}}
{{- define "store.httpsRedirectName" -}}
{{- printf "%s-https-redirect" (include "store.fullname" .) -}}
{{- end -}}

{{- define "store.tlsSecretName" -}}
{{- .Values.ingress.tls.secretName | default (printf "%s-tls" (include "store.fullname" .)) -}}
{{- end -}}

{{/* The WooCommerce plugin and Storefront theme packages as the setup Job installs them. */}}
{{- define "store.woocommercePackage" -}}
{{- if eq .Values.woocommerce.source "image" -}}
/packages/woocommerce.zip
{{- else -}}
{{- .Values.woocommerce.downloadUrl | default (printf "https://downloads.wordpress.org/plugin/woocommerce.%s.zip" .Values.woocommerce.version) -}}
{{- end -}}
{{- end -}}

{{- define "store.storefrontPackage" -}}
{{- if eq .Values.woocommerce.source "image" -}}
/packages/storefront.zip
{{- else -}}
{{- .Values.woocommerce.storefrontDownloadUrl | default (printf "https://downloads.wordpress.org/theme/storefront.%s.zip" .Values.woocommerce.storefrontVersion) -}}
{{- end -}}
{{- end -}}

{{/* Checks the schema cannot express; included by every workload template. */}}
{{- define "store.validate" -}}
{{- if ne .Values.engine "woocommerce" -}}
{{- fail (printf "engine %q is not this chart's: it provisions only woocommerce stores (Medusa stores use charts/medusa)" .Values.engine) -}}
{{- end -}}
{{- if and .Values.networkPolicy.enabled (eq .Values.woocommerce.source "download") (not .Values.networkPolicy.allowInternetEgress) -}}
{{- fail "woocommerce.source=download needs networkPolicy.allowInternetEgress=true (the setup Job downloads WooCommerce and Storefront); use woocommerce.source=image for a store without internet access" -}}
{{- end -}}
{{- if and .Values.smtp.enabled (not .Values.smtp.host) -}}
{{- fail "smtp.enabled needs smtp.host" -}}
{{- end -}}
{{- if and .Values.smtp.enabled .Values.smtp.user (not .Values.smtp.existingSecret) -}}
{{- fail "smtp.user needs smtp.existingSecret: a Secret holding the SMTP password (key smtp.existingSecretPasswordKey)" -}}
{{- end -}}
{{- $tls := .Values.ingress.tls -}}
{{- if and $tls.enabled (not $tls.clusterIssuer) (not $tls.secretName) (not $tls.certResolver) (not $tls.controllerManaged) -}}
{{- fail "ingress.tls.enabled needs ingress.tls.secretName (an existing TLS Secret), ingress.tls.clusterIssuer (cert-manager fills the Secrets), ingress.tls.certResolver (Traefik's ACME resolver) or ingress.tls.controllerManaged (the ingress controller's entry point obtains the certificates)" -}}
{{- end -}}
{{- if and .Values.ingress.domains $tls.enabled $tls.secretName (not $tls.clusterIssuer) (not $tls.certResolver) (not $tls.controllerManaged) -}}
{{- fail "ingress.domains with TLS need a certificate per domain: set ingress.tls.clusterIssuer, ingress.tls.certResolver or ingress.tls.controllerManaged (ingress.tls.secretName covers only the default host)" -}}
{{- end -}}
{{- with .Values.ingress.primaryHost -}}
{{- if not (has . (include "store.hosts" $ | fromJsonArray)) -}}
{{- fail (printf "ingress.primaryHost %s is neither the default host nor one of ingress.domains" .) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Pod-level security context of the WordPress pods (app and setup): the image's www-data user. */}}
{{- define "store.wordpressPodSecurityContext" -}}
runAsNonRoot: true
runAsUser: 33
runAsGroup: 33
fsGroup: 33
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Every container: read-only root filesystem; what it writes goes to its volumes (emptyDirs with a size limit). */}}
{{- define "store.containerSecurityContext" -}}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{/*
With a ReadWriteOnce wp-content volume every pod that mounts it (app replicas and the setup Job)
must run on the node the volume is attached to: they follow the app pods.
*/}}
{{- define "store.contentAffinity" -}}
{{- if eq .Values.persistence.wpContent.accessMode "ReadWriteOnce" -}}
podAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    - topologyKey: kubernetes.io/hostname
      labelSelector:
        matchLabels: {{- include "store.componentSelector" (dict "root" . "component" "app") | nindent 10 }}
{{- end -}}
{{- end -}}

{{/* The environment of the WordPress image's wp-config-docker.php, shared by the site and the setup Job. */}}
{{- define "store.wordpressEnv" -}}
- name: WORDPRESS_DB_HOST
  value: {{ include "store.databaseHost" . | quote }}
- name: WORDPRESS_DB_NAME
  value: {{ .Values.database.name | quote }}
- name: WORDPRESS_DB_USER
  value: {{ .Values.database.user | quote }}
- name: WORDPRESS_DB_PASSWORD
  valueFrom:
    secretKeyRef: { name: {{ .Values.existingSecret }}, key: database-password }
{{- range list "auth-key" "secure-auth-key" "logged-in-key" "nonce-key" "auth-salt" "secure-auth-salt" "logged-in-salt" "nonce-salt" }}
- name: {{ printf "WORDPRESS_%s" (. | upper | replace "-" "_") }}
  valueFrom:
    secretKeyRef: { name: {{ $.Values.existingSecret }}, key: {{ . }} }
{{- end }}
- name: WORDPRESS_TABLE_PREFIX
  value: "wp_"
- name: WORDPRESS_CONFIG_EXTRA
  value: {{ include "store.configExtra" . | quote }}
{{- with .Values.smtp }}
{{- if .enabled }}
- { name: SMTP_HOST, value: {{ .host | quote }} }
- { name: SMTP_PORT, value: {{ .port | quote }} }
- { name: SMTP_ENCRYPTION, value: {{ .encryption | quote }} }
- { name: SMTP_USER, value: {{ .user | quote }} }
- { name: SMTP_FROM, value: {{ .from | quote }} }
{{- if .user }}
- name: SMTP_PASSWORD
  valueFrom:
    secretKeyRef: { name: {{ .existingSecret }}, key: {{ .existingSecretPasswordKey }} }
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Images */}}

{{/* `include "store.image" .Values.app.image`: registry/repository:tag, or @digest when one is set. */}}
{{- define "store.image" -}}
{{- $repository := ternary (printf "%s/%s" .registry .repository) .repository (ne .registry "") -}}
{{- if .digest -}}
{{- printf "%s@%s" $repository .digest -}}
{{- else -}}
{{- printf "%s:%s" $repository .tag -}}
{{- end -}}
{{- end -}}

{{- define "store.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets -}}
imagePullSecrets: {{- toYaml . | nindent 2 }}
{{- end -}}
{{- end -}}

{{/*
PHP's memory_limit from a container's memory limit (a binary quantity, as the schema requires): three
quarters of it, so that PHP reports "Allowed memory size exhausted" before the kernel kills the container.
*/}}
{{- define "store.phpMemoryLimit" -}}
{{- $quantity := toString . -}}
{{- $factors := dict "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776 -}}
{{- $bytes := int64 0 -}}
{{- $suffix := regexFind "(Ki|Mi|Gi|Ti)$" $quantity -}}
{{- if $suffix -}}
{{- $bytes = mul (int64 (trimSuffix $suffix $quantity)) (index $factors $suffix) -}}
{{- else -}}
{{- $bytes = int64 $quantity -}}
{{- end -}}
{{- $mebibytes := div (mul $bytes 3) (mul 4 1048576) -}}
{{- if lt $mebibytes 64 -}}
{{- fail (printf "a memory limit of %s leaves PHP %dM, below the 64M WordPress needs" $quantity $mebibytes) -}}
{{- end -}}
{{- printf "%dM" $mebibytes -}}
{{- end -}}

{{/* Whether the store's pods may reach the internet; without it WordPress must not try. */}}
{{- define "store.internetBlocked" -}}
{{- if and .Values.networkPolicy.enabled (not .Values.networkPolicy.allowInternetEgress) -}}
true
{{- end -}}
{{- end -}}

{{/* wp-config.php additions (WORDPRESS_CONFIG_EXTRA): the chart's, then `app.configExtra`. */}}
{{- define "store.configExtra" -}}
// WP-Cron runs from the CronJob {{ include "store.componentName" (dict "root" . "component" "cron") }} (wp cron event run --due-now), not on page views.
define('DISABLE_WP_CRON', true);
{{- if include "store.internetBlocked" . }}
// Egress is closed (networkPolicy.allowInternetEgress=false): fail calls home at once instead of hanging.
define('WP_HTTP_BLOCK_EXTERNAL', true);
{{- end }}
{{- if .Values.smtp.enabled }}
// Mail through the SMTP server of the smtp values (see the ConfigMap <release>-config, smtp.php).
require_once '/etc/storefleet/smtp.php';
{{- end }}
{{ .Values.app.configExtra }}
{{- end -}}
