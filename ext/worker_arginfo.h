/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: dbfb818ec79241ea3e4f02a37da4ce8a65f1f411 */

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Worker_Worker_getName, 0, 0, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Worker_Worker_getCount, 0, 0, IS_LONG, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Worker_Worker_register, 0, 1, IS_VOID, 0)
	ZEND_ARG_OBJ_INFO(0, manager, Psc\\Worker\\Manager, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Worker_Worker_boot, 0, 0, IS_VOID, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Worker_Worker_onCommand, 0, 1, IS_VOID, 0)
	ZEND_ARG_OBJ_INFO(0, workerCommand, Psc\\Worker\\Command, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_Psc_Worker_Worker_onReload arginfo_class_Psc_Worker_Worker_boot

#define arginfo_class_Psc_Worker_Worker_onStop arginfo_class_Psc_Worker_Worker_boot

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Worker_Worker_getGracePeriod, 0, 0, IS_DOUBLE, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Worker_Worker_commandToAll, 0, 1, IS_VOID, 0)
	ZEND_ARG_OBJ_INFO(0, command, Psc\\Worker\\Command, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Worker_Worker_commandToWorker, 0, 2, IS_VOID, 0)
	ZEND_ARG_OBJ_INFO(0, command, Psc\\Worker\\Command, 0)
	ZEND_ARG_TYPE_INFO(0, name, IS_STRING, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_Psc_Worker_Worker_syncId arginfo_class_Psc_Worker_Worker_getCount

#define arginfo_class_Psc_Worker_Worker_getIndex arginfo_class_Psc_Worker_Worker_getCount

#define arginfo_class_Psc_Worker_Worker_getServiceName arginfo_class_Psc_Worker_Worker_getName


ZEND_METHOD(Psc_Worker_Worker, onStop);
ZEND_METHOD(Psc_Worker_Worker, getGracePeriod);
ZEND_METHOD(Psc_Worker_Worker, commandToAll);
ZEND_METHOD(Psc_Worker_Worker, commandToWorker);
ZEND_METHOD(Psc_Worker_Worker, syncId);
ZEND_METHOD(Psc_Worker_Worker, getIndex);
ZEND_METHOD(Psc_Worker_Worker, getServiceName);


static const zend_function_entry class_Psc_Worker_Worker_methods[] = {
	ZEND_ABSTRACT_ME_WITH_FLAGS(Psc_Worker_Worker, getName, arginfo_class_Psc_Worker_Worker_getName, ZEND_ACC_PUBLIC|ZEND_ACC_ABSTRACT)
	ZEND_ABSTRACT_ME_WITH_FLAGS(Psc_Worker_Worker, getCount, arginfo_class_Psc_Worker_Worker_getCount, ZEND_ACC_PUBLIC|ZEND_ACC_ABSTRACT)
	ZEND_ABSTRACT_ME_WITH_FLAGS(Psc_Worker_Worker, register, arginfo_class_Psc_Worker_Worker_register, ZEND_ACC_PUBLIC|ZEND_ACC_ABSTRACT)
	ZEND_ABSTRACT_ME_WITH_FLAGS(Psc_Worker_Worker, boot, arginfo_class_Psc_Worker_Worker_boot, ZEND_ACC_PUBLIC|ZEND_ACC_ABSTRACT)
	ZEND_ABSTRACT_ME_WITH_FLAGS(Psc_Worker_Worker, onCommand, arginfo_class_Psc_Worker_Worker_onCommand, ZEND_ACC_PUBLIC|ZEND_ACC_ABSTRACT)
	ZEND_ABSTRACT_ME_WITH_FLAGS(Psc_Worker_Worker, onReload, arginfo_class_Psc_Worker_Worker_onReload, ZEND_ACC_PUBLIC|ZEND_ACC_ABSTRACT)
	ZEND_ME(Psc_Worker_Worker, onStop, arginfo_class_Psc_Worker_Worker_onStop, ZEND_ACC_PUBLIC)
	ZEND_ME(Psc_Worker_Worker, getGracePeriod, arginfo_class_Psc_Worker_Worker_getGracePeriod, ZEND_ACC_PUBLIC)
	ZEND_ME(Psc_Worker_Worker, commandToAll, arginfo_class_Psc_Worker_Worker_commandToAll, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Worker_Worker, commandToWorker, arginfo_class_Psc_Worker_Worker_commandToWorker, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Worker_Worker, syncId, arginfo_class_Psc_Worker_Worker_syncId, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Worker_Worker, getIndex, arginfo_class_Psc_Worker_Worker_getIndex, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Worker_Worker, getServiceName, arginfo_class_Psc_Worker_Worker_getServiceName, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_FE_END
};

static zend_class_entry *register_class_Psc_Worker_Worker(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Psc\\Worker", "Worker", class_Psc_Worker_Worker_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_ABSTRACT;

	return class_entry;
}
