# make demo: a QEMU guest's view of two passthrough-style users of vfio-pci.
vt_load_vfio
vt_bind_vfio
vt_start_daemon
vt_workload a "$DEV0" --rounds 3 --dma-map --resets 1 --sigbus 2
vt_workload b "$DEV1" --rounds 5 --resets 2
vt_table running
vt_pretty running
vt_release a
vt_release b
vt_table after-exit
vt_stop_daemon
