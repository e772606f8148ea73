{{/*
The Deployment of `serve`: the server (component "app") or, with worker.enabled, the worker
(component "worker"). `include "medusa.serveDeployment" (dict "root" $ "component" "app")`
*/}}
{{- define "medusa.serveDeployment" -}}
{{- $root := .root -}}
{{- $server := eq .component "app" -}}
{{- $values := ternary $root.Values.medusa $root.Values.worker $server -}}
{{- $workerMode := ternary (ternary "server" "shared" $root.Values.worker.enabled) "worker" $server -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "medusa.componentName" . }}
  labels: {{- include "medusa.componentLabels" . | nindent 4 }}
spec:
  replicas: {{ $values.replicas }}
  revisionHistoryLimit: 3
  strategy:
    type: RollingUpdate
    rollingUpdate: { maxSurge: 1, maxUnavailable: 0 }
  selector:
    matchLabels: {{- include "medusa.componentSelector" . | nindent 6 }}
  template:
    metadata:
      labels: {{- include "medusa.podLabels" . | nindent 8 }}
    spec:
      {{- include "medusa.podCommon" $root | nindent 6 }}
      securityContext: {{- include "medusa.podSecurityContext" $root | nindent 8 }}
      affinity: {{- include "medusa.spreadOverNodes" . | nindent 8 }}
      # Medusa ends its requests within a second of SIGTERM.
      terminationGracePeriodSeconds: 30
      containers:
        - name: {{ ternary "medusa" "worker" $server }}
          image: {{ include "medusa.image" $root.Values.medusa.image }}
          imagePullPolicy: {{ $root.Values.imagePullPolicy }}
          args: ["serve"]
          env: {{- include "medusa.env" (dict "root" $root "workerMode" $workerMode "mail" true) | nindent 12 }}
          ports:
            - { name: http, containerPort: 9000 }
          # `medusa start` takes 5–40 s before /health answers (it waits for the database's schema first);
          # probed every second, so the store is ready as soon as it answers.
          startupProbe:
            httpGet: { path: /health, port: http }
            periodSeconds: 1
            timeoutSeconds: 3
            failureThreshold: {{ $root.Values.medusa.startupFailureThreshold }}
          {{- if $server }}
          readinessProbe:
            httpGet: { path: /health, port: http }
            periodSeconds: 10
            timeoutSeconds: 3
            failureThreshold: 3
          {{- end }}
          # Alive: still listening. A slow /health (a busy event loop) makes the server unready, not restarted.
          livenessProbe:
            tcpSocket: { port: http }
            periodSeconds: 20
            timeoutSeconds: 5
            failureThreshold: 6
          securityContext: {{- include "medusa.containerSecurityContext" $root | nindent 12 }}
          resources: {{- toYaml $values.resources | nindent 12 }}
          volumeMounts:
            # The root filesystem is read-only: Medusa writes only temporary files.
            - { name: tmp, mountPath: /tmp }
      volumes:
        - name: tmp
          emptyDir: { sizeLimit: 256Mi }
{{- end -}}
