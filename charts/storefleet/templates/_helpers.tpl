{{/* Names */}}

{{- define "storefleet.name" -}}
{{- .Values.nameOverride | default .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* `<release>` when it already holds the chart name (release "storefleet"), else `<release>-<name>`. */}}
{{- define "storefleet.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "storefleet.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "storefleet.orchestratorName" -}}
{{- printf "%s-orchestrator" (include "storefleet.fullname" .) -}}
{{- end -}}

{{- define "storefleet.postgresqlName" -}}
{{- printf "%s-postgresql" (include "storefleet.fullname" .) -}}
{{- end -}}

{{- define "storefleet.serviceAccountName" -}}
{{- .Values.serviceAccount.name | default (include "storefleet.orchestratorName" .) -}}
{{- end -}}

{{/* Cluster-scoped names carry the release (or a chosen prefix), so that two releases can coexist. */}}
{{- define "storefleet.clusterPrefix" -}}
{{- .Values.rbac.clusterResourcePrefix | default (include "storefleet.fullname" .) -}}
{{- end -}}

{{- define "storefleet.orchestratorClusterRole" -}}
{{- printf "%s-orchestrator" (include "storefleet.clusterPrefix" .) -}}
{{- end -}}

{{- define "storefleet.storeClusterRole" -}}
{{- printf "%s-store" (include "storefleet.clusterPrefix" .) -}}
{{- end -}}

{{- define "storefleet.admissionPolicyName" -}}
{{- printf "%s-orchestrator-store-namespaces-only" (include "storefleet.clusterPrefix" .) -}}
{{- end -}}

{{- define "storefleet.serviceAccountUser" -}}
system:serviceaccount:{{ .Release.Namespace }}:{{ include "storefleet.serviceAccountName" . }}
{{- end -}}

{{/* Labels */}}

{{- define "storefleet.selectorLabels" -}}
app.kubernetes.io/name: {{ include "storefleet.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "storefleet.labels" -}}
{{ include "storefleet.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: storefleet
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Labels of one component's objects: `include "storefleet.componentLabels" (dict "root" $ "component" "orchestrator")` */}}
{{- define "storefleet.componentLabels" -}}
{{ include "storefleet.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "storefleet.componentSelector" -}}
{{ include "storefleet.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Images */}}

{{/* `include "storefleet.image" (dict "image" .Values.image "default" .Chart.AppVersion)` */}}
{{- define "storefleet.image" -}}
{{- $repository := ternary (printf "%s/%s" .image.registry .image.repository) .image.repository (ne .image.registry "") -}}
{{- if .image.digest -}}
{{- printf "%s@%s" $repository .image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repository (.image.tag | default .default) -}}
{{- end -}}
{{- end -}}

{{- define "storefleet.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets -}}
imagePullSecrets: {{- toYaml . | nindent 2 }}
{{- end -}}
{{- end -}}

{{/* Database */}}

{{/* Which database the orchestrator uses: existing (a Secret with DATABASE_URL), postgresql (bundled) or embedded (PGlite). */}}
{{- define "storefleet.databaseMode" -}}
{{- if .Values.database.existingSecret -}}
existing
{{- else if .Values.database.postgresql.enabled -}}
postgresql
{{- else -}}
embedded
{{- end -}}
{{- end -}}

{{/* The Secret and key holding DATABASE_URL; empty for the embedded database. */}}
{{- define "storefleet.databaseUrlSecretName" -}}
{{- $mode := include "storefleet.databaseMode" . -}}
{{- if eq $mode "existing" -}}
{{- .Values.database.existingSecret -}}
{{- else if eq $mode "postgresql" -}}
{{- include "storefleet.postgresqlSecretName" . -}}
{{- end -}}
{{- end -}}

{{/* The Secret of the bundled PostgreSQL's password and URL: yours, or the generated one. */}}
{{- define "storefleet.postgresqlSecretName" -}}
{{- .Values.database.postgresql.existingSecret | default (include "storefleet.postgresqlName" .) -}}
{{- end -}}

{{- define "storefleet.databaseUrlSecretKey" -}}
{{- if eq (include "storefleet.databaseMode" .) "existing" -}}
{{- .Values.database.existingSecretKey -}}
{{- else -}}
database-url
{{- end -}}
{{- end -}}

{{- define "storefleet.embeddedClaimName" -}}
{{- .Values.database.embedded.persistence.existingClaim | default (printf "%s-data" (include "storefleet.fullname" .)) -}}
{{- end -}}

{{/* Store backups (BACKUP_DIR) */}}

{{- define "storefleet.storeBackupsClaimName" -}}
{{- .Values.storeBackups.persistence.existingClaim | default (printf "%s-store-backups" (include "storefleet.fullname" .)) -}}
{{- end -}}

{{/* With more than one replica on a ReadWriteOnce volume, the replicas are kept on its node. */}}
{{- define "storefleet.colocateReplicas" -}}
{{- $p := .Values.storeBackups.persistence -}}
{{- if and $p.enabled (gt (int .Values.replicaCount) 1) (eq $p.accessMode "ReadWriteOnce") $p.colocateReplicas -}}
true
{{- end -}}
{{- end -}}

{{/* PLATFORM_INTERNAL_URL: `auto` is the orchestrator Service, unless the stores run in another cluster (kubeconfig.existingSecret). */}}
{{- define "storefleet.platformInternalUrl" -}}
{{- $url := .Values.config.platformInternalUrl -}}
{{- if eq $url "auto" -}}
{{- if not .Values.kubeconfig.existingSecret -}}
{{- printf "http://%s.%s.svc:%d" (include "storefleet.orchestratorName" .) .Release.Namespace (int .Values.service.port) -}}
{{- end -}}
{{- else -}}
{{- $url -}}
{{- end -}}
{{- end -}}

{{/* The port of INGRESS_METRICS_URL: the one it names, or its scheme's. */}}
{{- define "storefleet.ingressMetricsPort" -}}
{{- $url := urlParse .Values.config.ingressMetricsUrl -}}
{{- $port := regexFind ":[0-9]+$" $url.host | trimPrefix ":" -}}
{{- $port | default (ternary "443" "80" (eq $url.scheme "https")) -}}
{{- end -}}

{{/* Values the chart cannot express in its schema: checked once, included by the Deployment. */}}
{{- define "storefleet.validate" -}}
{{- $mode := include "storefleet.databaseMode" . -}}
{{- if and .Values.database.existingSecret .Values.database.postgresql.enabled -}}
{{- fail "database: set either database.existingSecret (your own PostgreSQL) or database.postgresql.enabled=true (the bundled one), not both" -}}
{{- end -}}
{{- if and (eq $mode "embedded") (gt (int .Values.replicaCount) 1) -}}
{{- fail (printf "replicaCount=%d needs PostgreSQL: the embedded database (PGlite) serves a single process. Set database.existingSecret or database.postgresql.enabled=true, or replicaCount=1" (int .Values.replicaCount)) -}}
{{- end -}}
{{- if and .Values.database.backup.enabled (ne $mode "postgresql") -}}
{{- fail "database.backup.enabled dumps the bundled PostgreSQL (database.postgresql.enabled=true); back up your own server with its own tools, or with pg_dump by hand (docs/vps.md)" -}}
{{- end -}}
{{- if and .Values.database.migrations.existingSecret (eq $mode "embedded") -}}
{{- fail "database.migrations.existingSecret needs PostgreSQL (database.existingSecret or database.postgresql.enabled=true)" -}}
{{- end -}}
{{- if and .Values.config.idleSleepAfter (not .Values.config.ingressMetricsUrl) -}}
{{- fail "config.idleSleepAfter needs config.ingressMetricsUrl: idle sleep measures each store's storefront traffic from Traefik's Prometheus metrics (e.g. http://traefik-metrics.kube-system.svc:9100/metrics)" -}}
{{- end -}}
{{- if and .Values.smtp.existingSecret (not .Values.smtp.user) -}}
{{- fail "smtp.existingSecret needs smtp.user: the relay is signed in to with both (a relay without authentication needs neither)" -}}
{{- end -}}
{{- if has (clean .Values.config.backupDir) (list (clean .Values.config.dataDir) "/tmp") -}}
{{- fail (printf "config.backupDir=%s is where another volume is mounted: give the stores' backups a path of their own (the default is /store-backups)" .Values.config.backupDir) -}}
{{- end -}}
{{- $s3 := .Values.storeBackups.s3 -}}
{{- if eq .Values.storeBackups.target "s3" -}}
{{- if not $s3.bucket -}}
{{- fail "storeBackups.target=s3 needs storeBackups.s3.bucket: the bucket the stores' backups go to" -}}
{{- end -}}
{{- if not $s3.existingSecret -}}
{{- fail "storeBackups.target=s3 needs storeBackups.s3.existingSecret: a Secret with the age identity (key storeBackups.s3.ageIdentityKey, from age-keygen) and the bucket's access key, which never go into values" -}}
{{- end -}}
{{- if ne (empty $s3.accessKeyIdKey) (empty $s3.secretAccessKeyKey) -}}
{{- fail "storeBackups.s3.accessKeyIdKey and storeBackups.s3.secretAccessKeyKey: set both (static credentials from the Secret) or neither (the SDK's default chain, e.g. a pod identity)" -}}
{{- end -}}
{{- else if or $s3.bucket $s3.existingSecret -}}
{{- fail (printf "storeBackups.s3 is set but storeBackups.target=%s: set storeBackups.target=s3 to back up to the bucket, or leave storeBackups.s3.bucket and existingSecret empty" .Values.storeBackups.target) -}}
{{- end -}}
{{- $backups := .Values.storeBackups.persistence -}}
{{- if gt (int .Values.replicaCount) 1 -}}
{{- if not $backups.enabled -}}
{{- fail (printf "replicaCount=%d needs storeBackups.persistence.enabled=true: every replica reads and writes the stores' backups, and an emptyDir would give each its own. Enable it (with accessMode ReadWriteMany, or colocateReplicas=true), or set replicaCount=1" (int .Values.replicaCount)) -}}
{{- end -}}
{{- if and (not $backups.existingClaim) (eq $backups.accessMode "ReadWriteOnce") (not $backups.colocateReplicas) -}}
{{- fail (printf "replicaCount=%d with storeBackups.persistence.accessMode=ReadWriteOnce: every replica reads and writes the stores' backups, and a ReadWriteOnce volume is mounted on one node only. Set storeBackups.persistence.accessMode=ReadWriteMany (with a storageClass that offers it: NFS, CephFS, Longhorn…), or storeBackups.persistence.colocateReplicas=true to run every replica on the volume's node (a single-node cluster such as k3s with local-path), or replicaCount=1" (int .Values.replicaCount)) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- /* The init containers of `volumePermissions`: root that may only change owners. */}}
{{- define "storefleet.volumePermissionsSecurityContext" -}}
runAsNonRoot: false
runAsUser: 0
runAsGroup: 0
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
  add: ["CHOWN", "FOWNER", "DAC_OVERRIDE"]
{{- end }}

{{- define "storefleet.volumePermissionsResources" -}}
requests: { cpu: 10m, memory: 16Mi, ephemeral-storage: 1Mi }
limits: { cpu: 100m, memory: 64Mi, ephemeral-storage: 16Mi }
{{- end }}
