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

{{- define "store.url" -}}
{{- printf "%s://%s" (ternary "https" "http" .Values.ingress.tls.enabled) (include "store.host" .) -}}
{{- end -}}

{{- define "store.title" -}}
{{- .Values.store.name | default ((.Values.store.slug | default .Release.Name) | replace "-" " " | title) -}}
{{- end -}}

{{- define "store.databaseHost" -}}
{{- include "store.componentName" (dict "root" . "component" "db") -}}
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
{{- fail (printf "engine %q is not available yet: this chart provisions only woocommerce stores (medusa comes with its own chart work)" .Values.engine) -}}
{{- end -}}
{{- if and .Values.networkPolicy.enabled (eq .Values.woocommerce.source "download") (not .Values.networkPolicy.allowInternetEgress) -}}
{{- fail "woocommerce.source=download needs networkPolicy.allowInternetEgress=true (the setup Job downloads WooCommerce and Storefront); use woocommerce.source=image for a store without internet access" -}}
{{- end -}}
{{- if and .Values.ingress.tls.enabled (not .Values.ingress.tls.clusterIssuer) (not .Values.ingress.tls.secretName) -}}
{{- fail "ingress.tls.enabled needs ingress.tls.secretName (an existing TLS Secret) or ingress.tls.clusterIssuer (cert-manager fills the Secret)" -}}
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

{{- define "store.containerSecurityContext" -}}
allowPrivilegeEscalation: false
privileged: false
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
{{- with .Values.app.configExtra }}
- name: WORDPRESS_CONFIG_EXTRA
  value: {{ . | quote }}
{{- end }}
{{- end -}}
