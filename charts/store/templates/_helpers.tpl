{{- define "store.fullname" -}}{{ .Release.Name | trunc 53 | trimSuffix "-" }}{{- end -}}

{{- define "store.labels" -}}
app.kubernetes.io/name: store
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
storefleet.io/store-id: {{ .Values.store.id | quote }}
{{- end -}}

{{- define "store.selector" -}}
app.kubernetes.io/name: store
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "store.engine" -}}
{{- if ne .Values.engine "woocommerce" -}}
{{- fail (printf "engine %q is not available yet: only woocommerce can be provisioned" .Values.engine) -}}
{{- end -}}
{{- end -}}
