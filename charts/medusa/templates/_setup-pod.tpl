{{/*
The pod template of the setup Job: the image's `setup` role waits for the database, runs
`medusa db:migrate`, creates the admin user if absent and runs the idempotent seed. Its hash names the
Job (job-setup.yaml). `include "medusa.setupPodTemplate" (dict "root" $ "component" "setup")`
It boots Medusa with the server's modules, e-mail included: it runs beside the server, and a boot
without the SMTP provider would record that provider as gone, and the server's e-mail would stop.
*/}}
{{- define "medusa.setupPodTemplate" -}}
{{- $root := .root -}}
metadata:
  labels: {{- include "medusa.podLabels" . | nindent 4 }}
  {{- with $root.Values.setup.rerun }}
  annotations:
    storefleet.io/setup-rerun: {{ . | quote }}
  {{- end }}
spec:
  restartPolicy: Never
  {{- include "medusa.podCommon" $root | nindent 2 }}
  securityContext: {{- include "medusa.podSecurityContext" $root | nindent 4 }}
  containers:
    - name: setup
      image: {{ include "medusa.image" $root.Values.medusa.image }}
      imagePullPolicy: {{ $root.Values.imagePullPolicy }}
      args: ["setup"]
      # A failure's reason reaches the store's condition: the end of the log becomes the termination message.
      terminationMessagePolicy: FallbackToLogsOnError
      env:
        {{- include "medusa.env" (dict "root" $root "workerMode" "shared" "mail" true) | nindent 8 }}
        - name: MEDUSA_ADMIN_EMAIL
          valueFrom: { secretKeyRef: { name: {{ $root.Values.existingSecret }}, key: admin-email } }
        - name: MEDUSA_ADMIN_PASSWORD
          valueFrom: { secretKeyRef: { name: {{ $root.Values.existingSecret }}, key: admin-password } }
        - { name: STORE_NAME, value: {{ include "medusa.title" $root | quote }} }
        - { name: STORE_CURRENCY, value: {{ $root.Values.seed.currency | quote }} }
        - { name: STORE_COUNTRIES, value: {{ join "," $root.Values.seed.countries | quote }} }
        - { name: DATABASE_WAIT_SECONDS, value: {{ $root.Values.setup.databaseWaitSeconds | quote }} }
      securityContext: {{- include "medusa.containerSecurityContext" $root | nindent 8 }}
      resources: {{- toYaml $root.Values.setup.resources | nindent 8 }}
      volumeMounts:
        - { name: tmp, mountPath: /tmp }
  volumes:
    - name: tmp
      emptyDir: { sizeLimit: 256Mi }
{{- end -}}
